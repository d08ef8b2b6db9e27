"""``/users``: a studio's users, for its admins."""

from typing import Annotated

from litestar import Controller, Response, get, patch, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, JSONBody, QueryParameter

from application.identity.ports import USER_SORTS, UserQuery
from application.identity.users import (
    CreateUser,
    CreateUserHandler,
    GetUser,
    GetUserHandler,
    ListUsers,
    ListUsersHandler,
    UpdateUser,
    UpdateUserHandler,
)
from domain.identity.access import Actor
from domain.identity.model import Role
from domain.shared.paging import (
    DEFAULT_LIMIT,
    CursorCodec,
    Direction,
    SortSpec,
    parse_sort,
    query_identity,
)
from entrypoints.http.auth import current_actor
from entrypoints.http.envelope import Data
from entrypoints.http.identity.schemas import CreatedUserOut, UserCreateIn, UserOut, UserPatchIn
from entrypoints.http.listing import (
    CursorParam,
    LimitParam,
    ListOf,
    PageParam,
    SortParam,
    list_of,
    window,
)

DEFAULT_SORT = SortSpec("createdAt", Direction.ASC)
RoleParam = Annotated[Role | None, QueryParameter(description="Only users with this role.")]


class UsersController(Controller):
    path = "/users"
    tags = ["users"]
    dependencies = {"actor": Provide(current_actor)}

    @get("/")
    async def list_users(
        self,
        actor: NamedDependency[Actor],
        list_users: NamedDependency[ListUsersHandler],
        cursor_codec: NamedDependency[CursorCodec],
        page: PageParam = 1,
        limit: LimitParam = DEFAULT_LIMIT,
        sort: SortParam = None,
        role: Annotated[
            Role | None, QueryParameter(description="Only users with this role.")
        ] = None,
        cursor: CursorParam = None,
    ) -> ListOf[UserOut]:
        """The studio's users, paged (or walked with a cursor), sorted, filtered by role."""
        spec = parse_sort(sort, allowed=USER_SORTS, default=DEFAULT_SORT)
        identity = query_identity("users", {"role": role}, spec)
        chosen = window(page=page, limit=limit, cursor=cursor, codec=cursor_codec, query=identity)
        result = await list_users(
            ListUsers(actor=actor, query=UserQuery(role=role, sort=spec, window=chosen))
        )
        items = [UserOut.of(user) for user in result.items]
        return list_of(result, items, codec=cursor_codec, query=identity)

    @post("/", status_code=201)
    async def create_user(
        self,
        data: JSONBody[UserCreateIn],
        actor: NamedDependency[Actor],
        create_user: NamedDependency[CreateUserHandler],
    ) -> Response[Data[CreatedUserOut]]:
        """Add a member of staff with a role (a password is generated when none is given)."""
        created = await create_user(
            CreateUser(
                actor=actor,
                email=data.email,
                name=data.name,
                role=data.role,
                password=data.password,
            )
        )
        user = created.user
        body = CreatedUserOut(
            **{f: getattr(UserOut.of(user), f) for f in UserOut.__struct_fields__},
            initial_password=created.initial_password,
        )
        return Response(Data(data=body), status_code=201, headers={"Location": f"/users/{user.id}"})

    @get("/{user_id:str}")
    async def get_user(
        self,
        user_id: FromPath[str],
        actor: NamedDependency[Actor],
        get_user: NamedDependency[GetUserHandler],
    ) -> Data[UserOut]:
        return Data(data=UserOut.of(await get_user(GetUser(actor=actor, user_id=user_id))))

    @patch("/{user_id:str}")
    async def update_user(
        self,
        user_id: FromPath[str],
        data: JSONBody[UserPatchIn],
        actor: NamedDependency[Actor],
        update_user: NamedDependency[UpdateUserHandler],
    ) -> Data[UserOut]:
        """Rename, change the role, or (de)activate; deactivation ends every session."""
        user = await update_user(
            UpdateUser(
                actor=actor, user_id=user_id, name=data.name, role=data.role, active=data.active
            )
        )
        return Data(data=UserOut.of(user))
