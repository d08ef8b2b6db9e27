"""``/assets``: the catalogue, its versions, dependencies and review workflow.

Every single-asset answer carries ``ETag`` (the asset's revision). ``PATCH`` needs
``If-Match`` (428 without, 412 when stale); the other changes honour it when sent. ``POST
/assets`` honours ``Idempotency-Key``.
"""

from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, delete, get, patch, post, put
from litestar.di import NamedDependency, Provide
from litestar.exceptions import HTTPException
from litestar.openapi import ResponseSpec
from litestar.params import FromPath, HeaderParameter, JSONBody, QueryParameter
from litestar.response.base import ASGIResponse

from application.assets.catalogue import (
    CreateAsset,
    CreateAssetHandler,
    DeleteAsset,
    DeleteAssetHandler,
    GetAsset,
    ListAssets,
    ListAssetsHandler,
    PurgeAsset,
    PurgeAssetHandler,
    RestoreAsset,
    RestoreAssetHandler,
    ReviewAsset,
    ReviewAssetHandler,
    UpdateAsset,
    UpdateAssetHandler,
)
from application.assets.dependencies import (
    ListAllDependents,
    ListAllDependentsHandler,
    ListDependents,
    ListDependentsHandler,
    SetDependencies,
    SetDependenciesHandler,
)
from application.assets.ports import ASSET_SORTS, DEFAULT_ASSET_SORT, AssetQuery
from application.assets.versions import (
    AddVersion,
    AddVersionHandler,
    GetVersionDownload,
    GetVersionDownloadHandler,
    ListVersions,
    ListVersionsHandler,
)
from domain.assets.model import Asset, AssetStatus, AssetType, query_words
from domain.identity.access import Actor
from domain.shared.errors import InvalidInputError, StaleRevisionError
from domain.shared.ids import UserId, canonical_id
from domain.shared.paging import (
    DEFAULT_LIMIT,
    CursorCodec,
    Direction,
    KeysetWindow,
    SortSpec,
    parse_sort,
    query_identity,
)
from entrypoints.container import Container
from entrypoints.http.assets.schemas import (
    AllDependentsOut,
    AssetCreateIn,
    AssetOut,
    AssetPatchIn,
    DependenciesIn,
    DependentOut,
    DownloadOut,
    ReviewIn,
    VersionCreateIn,
    VersionOut,
)
from entrypoints.http.auth import authenticated, current_actor
from entrypoints.http.context import header
from entrypoints.http.envelope import Data, ready_json
from entrypoints.http.listing import (
    CursorParam,
    LimitParam,
    ListOf,
    PageParam,
    SortParam,
    list_of,
    window,
)

BY_NUMBER = SortSpec("number", Direction.DESC)
BY_ID = SortSpec("id", Direction.ASC)
IdempotencyKey = Annotated[
    str | None,
    HeaderParameter(
        name="idempotency-key",
        min_length=1,
        max_length=255,
        pattern=r"^[\x21-\x7e]+$",
        description="Send the same key again to get the first answer, not a second asset.",
    ),
]


def etag_of(asset: Asset) -> dict[str, str]:
    return {"ETag": asset.etag}


def if_match(request: Request[Any, Any, Any], *, required: bool) -> int | None:
    """The revision ``If-Match`` names (None for ``*`` or, when optional, no header).

    Missing when required: 428. A value that cannot be this asset's ETag: 412.
    """
    header = request.headers.get("if-match")
    if header is None:
        if required:
            raise HTTPException(
                status_code=428,
                detail="Send If-Match with the asset's ETag (GET it first) to change it.",
            )
        return None
    value = header.strip()
    if value == "*":
        return None
    if value.startswith('"') and value.endswith('"') and value[1:-1].isdigit():
        return int(value[1:-1])
    raise StaleRevisionError("If-Match does not name a revision of this asset.")


class AssetsController(Controller):
    path = "/assets"
    tags = ["assets"]
    dependencies = {"actor": Provide(current_actor)}

    @post("/", status_code=201)
    async def create_asset(
        self,
        data: JSONBody[AssetCreateIn],
        actor: NamedDependency[Actor],
        create_asset: NamedDependency[CreateAssetHandler],
        idempotency_key: IdempotencyKey = None,
    ) -> Response[Data[AssetOut]]:
        """Create a draft asset owned by the caller."""
        created = await create_asset(
            CreateAsset(
                actor=actor,
                name=data.name,
                type=data.type,
                description=data.description,
                tags=data.tags,
                metadata=data.metadata,
                dependencies=data.dependencies,
                idempotency_key=idempotency_key,
            )
        )
        asset = created.asset
        headers = {"Location": f"/assets/{asset.id}", **etag_of(asset)}
        if created.replayed:
            headers["Idempotent-Replayed"] = "true"
        return Response(Data(data=AssetOut.of(asset)), status_code=201, headers=headers)

    @get("/")
    async def list_assets(
        self,
        actor: NamedDependency[Actor],
        list_assets: NamedDependency[ListAssetsHandler],
        cursor_codec: NamedDependency[CursorCodec],
        page: PageParam = 1,
        limit: LimitParam = DEFAULT_LIMIT,
        sort: SortParam = None,
        type: Annotated[AssetType | None, QueryParameter(description="Only this type.")] = None,
        status: Annotated[
            AssetStatus | None, QueryParameter(description="Only this status.")
        ] = None,
        tag: Annotated[
            str | None, QueryParameter(min_length=1, max_length=40, description="Only this tag.")
        ] = None,
        owner: Annotated[
            str | None,
            QueryParameter(max_length=64, description="Only this owner's (a user id, or me)."),
        ] = None,
        q: Annotated[
            str | None,
            QueryParameter(
                min_length=1,
                max_length=200,
                description="Name search: each word must begin a word of the name.",
            ),
        ] = None,
        cursor: CursorParam = None,
    ) -> ListOf[AssetOut]:
        """The studio's live assets: paged (or walked with a cursor), sorted, filtered."""
        spec = parse_sort(sort, allowed=ASSET_SORTS, default=DEFAULT_ASSET_SORT)
        owner_id = _owner(owner, actor)
        words = query_words(q) if q is not None else ()
        tag_key = tag.strip().lower() if tag is not None else None
        filters = {
            "type": type,
            "status": status,
            "tag": tag_key,
            "owner": owner_id,
            "q": " ".join(words) or None,
        }
        identity = query_identity("assets", filters, spec)
        chosen = window(page=page, limit=limit, cursor=cursor, codec=cursor_codec, query=identity)
        query = AssetQuery(
            type=type,
            status=status,
            tag=tag_key,
            owner_id=owner_id,
            words=words,
            sort=spec,
            window=chosen,
        )
        result = await list_assets(ListAssets(actor=actor, query=query))
        items = [AssetOut.of(asset) for asset in result.items]
        return list_of(result, items, codec=cursor_codec, query=identity)

    @get(
        "/{asset_id:str}",
        responses={
            200: ResponseSpec(
                Data[AssetOut], description="The asset; its ETag header is its revision"
            ),
            304: ResponseSpec(None, description="Unchanged since the ETag in If-None-Match"),
        },
    )
    async def get_asset(
        self, request: Request[Any, Any, Any], asset_id: FromPath[str]
    ) -> ASGIResponse:
        """One asset, with its ETag (``If-None-Match`` with it answers 304).

        The hottest read, so it skips two layers every other route goes through: the caller
        and the use case are taken from the container here instead of being injected, and the
        answer is encoded here (``ready_json``) instead of by a ``Response``. Together they
        were ~8-10% of this route's CPU on the 1M-asset file (~20% on a small store; see
        docs/benchmarks.md).
        """
        container: Container = request.app.state.container
        actor = await authenticated(request, container.authenticate())
        asset = await container.get_asset()(GetAsset(actor=actor, asset_id=asset_id))
        if header(request.scope, b"if-none-match") == asset.etag:
            return ready_json(None, status_code=304, headers=etag_of(asset))
        return ready_json(Data(data=AssetOut.of(asset)), headers=etag_of(asset))

    @patch("/{asset_id:str}")
    async def update_asset(
        self,
        request: Request[Any, Any, Any],
        asset_id: FromPath[str],
        data: JSONBody[AssetPatchIn],
        actor: NamedDependency[Actor],
        update_asset: NamedDependency[UpdateAssetHandler],
    ) -> Response[Data[AssetOut]]:
        """Change some fields; needs ``If-Match`` with the ETag the change is based on."""
        expected = if_match(request, required=True)
        fields = {
            name: value
            for name in AssetPatchIn.__struct_fields__
            if (value := getattr(data, name)) is not msgspec.UNSET
        }
        if not fields:
            raise InvalidInputError("Send at least one field to change.", code="empty_patch")
        asset = await update_asset(
            UpdateAsset(actor=actor, asset_id=asset_id, expected_revision=expected, **fields)
        )
        return Response(Data(data=AssetOut.of(asset)), headers=etag_of(asset))

    @delete("/{asset_id:str}", status_code=204)
    async def delete_asset(
        self,
        request: Request[Any, Any, Any],
        asset_id: FromPath[str],
        actor: NamedDependency[Actor],
        delete_asset: NamedDependency[DeleteAssetHandler],
    ) -> None:
        """Soft delete: gone from lists, name kept until purged; ``/restore`` brings it back."""
        expected = if_match(request, required=False)
        await delete_asset(DeleteAsset(actor=actor, asset_id=asset_id, expected_revision=expected))

    @post("/{asset_id:str}/restore", status_code=200)
    async def restore_asset(
        self,
        asset_id: FromPath[str],
        actor: NamedDependency[Actor],
        restore_asset: NamedDependency[RestoreAssetHandler],
    ) -> Response[Data[AssetOut]]:
        asset = await restore_asset(RestoreAsset(actor=actor, asset_id=asset_id))
        return Response(Data(data=AssetOut.of(asset)), headers=etag_of(asset))

    @post("/{asset_id:str}/purge", status_code=204)
    async def purge_asset(
        self,
        asset_id: FromPath[str],
        actor: NamedDependency[Actor],
        purge_asset: NamedDependency[PurgeAssetHandler],
    ) -> None:
        """Remove a deleted asset for good (producers and admins); frees its name."""
        await purge_asset(PurgeAsset(actor=actor, asset_id=asset_id))

    @post("/{asset_id:str}/review", status_code=200)
    async def review_asset(
        self,
        request: Request[Any, Any, Any],
        asset_id: FromPath[str],
        data: JSONBody[ReviewIn],
        actor: NamedDependency[Actor],
        review_asset: NamedDependency[ReviewAssetHandler],
    ) -> Response[Data[AssetOut]]:
        """submit (draft -> in_review), approve, send_back (with a note), archive."""
        asset = await review_asset(
            ReviewAsset(
                actor=actor,
                asset_id=asset_id,
                action=data.action,
                note=data.note,
                expected_revision=if_match(request, required=False),
            )
        )
        return Response(Data(data=AssetOut.of(asset)), headers=etag_of(asset))

    @put("/{asset_id:str}/dependencies")
    async def set_dependencies(
        self,
        request: Request[Any, Any, Any],
        asset_id: FromPath[str],
        data: JSONBody[DependenciesIn],
        actor: NamedDependency[Actor],
        set_dependencies: NamedDependency[SetDependenciesHandler],
    ) -> Response[Data[AssetOut]]:
        """Replace the assets this one uses (same studio, no cycles)."""
        asset = await set_dependencies(
            SetDependencies(
                actor=actor,
                asset_id=asset_id,
                dependencies=data.dependencies,
                expected_revision=if_match(request, required=False),
            )
        )
        return Response(Data(data=AssetOut.of(asset)), headers=etag_of(asset))

    @get("/{asset_id:str}/dependents")
    async def list_dependents(
        self,
        asset_id: FromPath[str],
        actor: NamedDependency[Actor],
        list_dependents: NamedDependency[ListDependentsHandler],
        cursor_codec: NamedDependency[CursorCodec],
        limit: LimitParam = DEFAULT_LIMIT,
        cursor: CursorParam = None,
    ) -> ListOf[DependentOut]:
        """The live assets that use this one directly, walked with a cursor."""
        identity = query_identity(f"assets/{asset_id}/dependents", {}, BY_ID)
        after = cursor_codec.decode(cursor, query=identity) if cursor else None
        result = await list_dependents(
            ListDependents(
                actor=actor, asset_id=asset_id, window=KeysetWindow(after=after, limit=limit)
            )
        )
        items = [DependentOut.of(asset) for asset in result.items]
        return list_of(result, items, codec=cursor_codec, query=identity)

    @get("/{asset_id:str}/dependents/all")
    async def list_all_dependents(
        self,
        asset_id: FromPath[str],
        actor: NamedDependency[Actor],
        list_all_dependents: NamedDependency[ListAllDependentsHandler],
    ) -> Data[AllDependentsOut]:
        """What breaks if this changes: every live asset using it, directly or not."""
        found = await list_all_dependents(ListAllDependents(actor=actor, asset_id=asset_id))
        return Data(data=AllDependentsOut(ids=list(found.ids), truncated=found.truncated))

    @post("/{asset_id:str}/versions", status_code=201)
    async def add_version(
        self,
        request: Request[Any, Any, Any],
        asset_id: FromPath[str],
        data: JSONBody[VersionCreateIn],
        actor: NamedDependency[Actor],
        add_version: NamedDependency[AddVersionHandler],
    ) -> Response[Data[VersionOut]]:
        """Register an uploaded file (``POST /uploads/presign`` with purpose asset_version) as
        the next version; its size, type and SHA-256 are checked and recorded."""
        added = await add_version(
            AddVersion(
                actor=actor,
                asset_id=asset_id,
                key=data.s3_key,
                note=data.note,
                expected_revision=if_match(request, required=False),
            )
        )
        number = added.version.number
        headers = {
            "Location": f"/assets/{added.asset.id}/versions/{number}/download",
            **etag_of(added.asset),
        }
        return Response(Data(data=VersionOut.of(added.version)), status_code=201, headers=headers)

    @get("/{asset_id:str}/versions")
    async def list_versions(
        self,
        asset_id: FromPath[str],
        actor: NamedDependency[Actor],
        list_versions: NamedDependency[ListVersionsHandler],
        cursor_codec: NamedDependency[CursorCodec],
        page: PageParam = 1,
        limit: LimitParam = DEFAULT_LIMIT,
        cursor: CursorParam = None,
    ) -> ListOf[VersionOut]:
        """The asset's versions, newest first."""
        identity = query_identity(f"assets/{asset_id}/versions", {}, BY_NUMBER)
        chosen = window(page=page, limit=limit, cursor=cursor, codec=cursor_codec, query=identity)
        result = await list_versions(ListVersions(actor=actor, asset_id=asset_id, window=chosen))
        items = [VersionOut.of(version) for version in result.items]
        return list_of(result, items, codec=cursor_codec, query=identity)

    @get("/{asset_id:str}/versions/{number:int}/download")
    async def version_download(
        self,
        asset_id: FromPath[str],
        number: FromPath[int],
        actor: NamedDependency[Actor],
        get_version_download: NamedDependency[GetVersionDownloadHandler],
    ) -> Data[DownloadOut]:
        """A short-lived URL to fetch this version's file."""
        found = await get_version_download(
            GetVersionDownload(actor=actor, asset_id=asset_id, number=number)
        )
        return Data(data=DownloadOut.of(number, found.download))


def _owner(owner: str | None, actor: Actor) -> UserId | None:
    if owner is None:
        return None
    if owner == "me":
        return actor.user_id
    try:
        return UserId(canonical_id(owner))
    except InvalidInputError:
        raise InvalidInputError("owner is a user id, or me.", code="invalid_owner") from None
