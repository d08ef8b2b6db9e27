"""``/studios``: public look-up by slug; creation only when open sign-up is switched on."""

from typing import Any

from litestar import Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from application.identity.studios import CreateStudio, CreateStudioHandler
from application.shared.ports import Persistence
from entrypoints.http.envelope import Data
from entrypoints.http.identity.schemas import StudioCreatedOut, StudioCreateIn, StudioOut, UserOut


@get("/studios/{slug:str}", tags=["studios"])
async def get_studio(
    slug: FromPath[str], persistence: NamedDependency[Persistence]
) -> Data[StudioOut]:
    """A studio's public card (what a sign-in page shows)."""
    async with persistence.unit_of_work(read_only=True) as uow:
        studio = await uow.studios.get_by_slug(slug)
    return Data(data=StudioOut.of(studio))


@post("/studios", status_code=201, tags=["studios"])
async def create_studio(
    data: JSONBody[StudioCreateIn], create_studio: NamedDependency[CreateStudioHandler]
) -> Response[Data[StudioCreatedOut]]:
    """Create a studio and its first admin (only mounted when ``STUDIO_SIGNUP=open``)."""
    created = await create_studio(
        CreateStudio(
            slug=data.slug,
            name=data.name,
            admin_email=data.admin_email,
            admin_name=data.admin_name,
            admin_password=data.admin_password,
        )
    )
    body = StudioCreatedOut(studio=StudioOut.of(created.studio), admin=UserOut.of(created.admin))
    headers = {"Location": f"/studios/{created.studio.slug}"}
    return Response(Data(data=body), status_code=201, headers=headers)


def studio_routes(*, open_signup: bool) -> list[Any]:
    return [get_studio, create_studio] if open_signup else [get_studio]
