"""``/studios``: public look-up by slug; creation only when open sign-up is switched on."""

from datetime import datetime
from typing import Annotated, Any

import msgspec
from litestar import Response, get, patch, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, JSONBody

from application.identity.studios import (
    CreateStudio,
    CreateStudioHandler,
    GetOwnStudio,
    GetOwnStudioHandler,
    UpdateStudio,
    UpdateStudioHandler,
)
from application.shared.ports import Persistence
from domain.identity.access import Actor
from domain.identity.model import Role, Studio
from entrypoints.http.auth import current_actor
from entrypoints.http.envelope import Data
from entrypoints.http.identity.schemas import (
    Body,
    StudioCreatedOut,
    StudioCreateIn,
    StudioOut,
    UserOut,
)


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


class StudioSettingsOut(msgspec.Struct, kw_only=True, rename="camel"):
    self_signup_roles: list[Role]
    free_episodes_per_series: int


class OwnStudioOut(msgspec.Struct, kw_only=True, rename="camel"):
    id: str
    slug: str
    name: str
    settings: StudioSettingsOut
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, studio: Studio) -> "OwnStudioOut":
        return cls(
            id=studio.id,
            slug=studio.slug,
            name=studio.name,
            settings=StudioSettingsOut(
                self_signup_roles=sorted(studio.settings.self_signup_roles),
                free_episodes_per_series=studio.settings.free_episodes_per_series,
            ),
            created_at=studio.created_at,
            updated_at=studio.updated_at,
        )


class StudioPatchIn(Body):
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=100)] | None = None
    self_signup_roles: Annotated[list[Role], msgspec.Meta(max_length=5)] | None = None
    free_episodes_per_series: Annotated[int, msgspec.Meta(ge=0, le=1000)] | None = None


@get("/studio", tags=["studios"], dependencies={"actor": Provide(current_actor)})
async def get_own_studio(
    actor: NamedDependency[Actor], get_own_studio: NamedDependency[GetOwnStudioHandler]
) -> Data[OwnStudioOut]:
    """The caller's studio and its settings."""
    return Data(data=OwnStudioOut.of(await get_own_studio(GetOwnStudio(actor=actor))))


@patch("/studio", tags=["studios"], dependencies={"actor": Provide(current_actor)})
async def update_own_studio(
    data: JSONBody[StudioPatchIn],
    actor: NamedDependency[Actor],
    update_studio: NamedDependency[UpdateStudioHandler],
) -> Data[OwnStudioOut]:
    """Rename the studio, choose which roles may self-register, set free episodes (admins)."""
    studio = await update_studio(
        UpdateStudio(
            actor=actor,
            name=data.name,
            self_signup_roles=None
            if data.self_signup_roles is None
            else frozenset(data.self_signup_roles),
            free_episodes_per_series=data.free_episodes_per_series,
        )
    )
    return Data(data=OwnStudioOut.of(studio))


def studio_routes(*, open_signup: bool) -> list[Any]:
    own = [get_own_studio, update_own_studio]
    return [*own, get_studio, create_studio] if open_signup else [*own, get_studio]
