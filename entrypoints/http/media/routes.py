"""``/uploads`` (presign, complete multipart) and ``/creator/videos``."""

from litestar import Controller, Response, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import JSONBody

from application.media.ports import CompletedPart
from application.media.uploads import (
    CompleteMultipartUpload,
    CompleteMultipartUploadHandler,
    PresignUpload,
    PresignUploadHandler,
)
from application.media.videos import (
    ListOwnVideos,
    ListOwnVideosHandler,
    RegisterVideo,
    RegisterVideoHandler,
)
from domain.identity.access import Actor
from domain.shared.paging import DEFAULT_LIMIT, CursorCodec, Direction, SortSpec, query_identity
from entrypoints.http.auth import current_actor
from entrypoints.http.envelope import Data
from entrypoints.http.listing import CursorParam, LimitParam, ListOf, PageParam, list_of, window
from entrypoints.http.media.schemas import (
    CompleteIn,
    PresignIn,
    PresignOut,
    VideoCreateIn,
    VideoOut,
)

NEWEST_FIRST = SortSpec("createdAt", Direction.DESC)


class UploadsController(Controller):
    path = "/uploads"
    tags = ["uploads"]
    dependencies = {"actor": Provide(current_actor)}

    @post("/presign", status_code=200)
    async def presign(
        self,
        data: JSONBody[PresignIn],
        actor: NamedDependency[Actor],
        presign_upload: NamedDependency[PresignUploadHandler],
    ) -> Data[PresignOut]:
        """Where to send a file's bytes: a short-lived URL and the headers it must carry.

        Above the store's multipart threshold the answer has one URL per part instead; send
        each part, then ``POST /uploads/complete`` with the parts' ETags.
        """
        presigned = await presign_upload(
            PresignUpload(
                actor=actor,
                filename=data.filename,
                content_type=data.content_type,
                size=data.size,
                purpose=data.purpose,
            )
        )
        return Data(data=PresignOut.of(presigned.key, presigned.upload))

    @post("/complete", status_code=204)
    async def complete(
        self,
        data: JSONBody[CompleteIn],
        actor: NamedDependency[Actor],
        complete_multipart_upload: NamedDependency[CompleteMultipartUploadHandler],
    ) -> None:
        """Assemble a multipart upload from its parts."""
        await complete_multipart_upload(
            CompleteMultipartUpload(
                actor=actor,
                key=data.s3_key,
                parts=[CompletedPart(number=p.part_number, etag=p.etag) for p in data.parts],
            )
        )


class CreatorVideosController(Controller):
    path = "/creator/videos"
    tags = ["creator"]
    dependencies = {"actor": Provide(current_actor)}

    @post("/", status_code=201)
    async def register(
        self,
        data: JSONBody[VideoCreateIn],
        actor: NamedDependency[Actor],
        register_video: NamedDependency[RegisterVideoHandler],
    ) -> Response[Data[VideoOut]]:
        """Register an uploaded file as a video, after checking it is what was announced."""
        video = await register_video(RegisterVideo(actor=actor, key=data.s3_key, title=data.title))
        headers = {"Location": f"/creator/videos/{video.id}"}
        return Response(Data(data=VideoOut.of(video)), status_code=201, headers=headers)

    @get("/")
    async def list_videos(
        self,
        actor: NamedDependency[Actor],
        list_own_videos: NamedDependency[ListOwnVideosHandler],
        cursor_codec: NamedDependency[CursorCodec],
        page: PageParam = 1,
        limit: LimitParam = DEFAULT_LIMIT,
        cursor: CursorParam = None,
    ) -> ListOf[VideoOut]:
        """The caller's own videos, newest first."""
        identity = query_identity("creator-videos", {"owner": actor.user_id}, NEWEST_FIRST)
        chosen = window(page=page, limit=limit, cursor=cursor, codec=cursor_codec, query=identity)
        result = await list_own_videos(ListOwnVideos(actor=actor, window=chosen))
        items = [VideoOut.of(video) for video in result.items]
        return list_of(result, items, codec=cursor_codec, query=identity)
