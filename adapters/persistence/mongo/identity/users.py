"""``UserRepository`` on the ``users`` collection (deleting a user also deletes its sessions)."""

from dataclasses import replace

from adapters.persistence.mongo.identity.mapping import user_from_doc, user_to_doc, without_id
from adapters.persistence.mongo.indexes import SESSIONS, USER_EMAIL_UNIQUE, USERS
from adapters.persistence.mongo.shared.codec import (
    Document,
    lookup_uuid,
    to_uuid,
)
from adapters.persistence.mongo.shared.context import MongoContext
from adapters.persistence.mongo.shared.keyset import (
    after_filter,
    key_id,
    sort_key,
    sort_order,
    stored_value,
)
from application.identity.ports import UserQuery
from domain.identity.errors import UserEmailTakenError, UserNotFoundError
from domain.identity.model import User
from domain.shared.ids import StudioId, UserId
from domain.shared.paging import KeysetWindow, Page

_INSTANTS = frozenset({"created_at"})

# API sort names to document fields.
_SORT_FIELDS = {"email": "email", "name": "name", "createdAt": "created_at"}
_UNIQUE = {USER_EMAIL_UNIQUE: UserEmailTakenError}


class MongoUserRepository:
    def __init__(self, context: MongoContext) -> None:
        self._context = context
        self._users = context.collection(USERS)
        self._sessions = context.collection(SESSIONS)

    async def add(self, user: User) -> None:
        with self._context.writing(USERS, _UNIQUE):
            await self._users.insert_one(user_to_doc(user), session=self._context.session)

    async def get(self, studio_id: StudioId, user_id: UserId) -> User:
        doc = await self._find_one(studio_id, {"_id": lookup_uuid(user_id)})
        if doc is None:
            raise UserNotFoundError(details={"user_id": user_id})
        return user_from_doc(doc)

    async def find_by_email(self, studio_id: StudioId, email: str) -> User | None:
        doc = await self._find_one(studio_id, {"email": email})
        return None if doc is None else user_from_doc(doc)

    async def save(self, user: User, *, expected_revision: int) -> User:
        saved = replace(user, revision=expected_revision + 1)
        await self._context.compare_and_set(
            USERS,
            {"studio_id": to_uuid(user.studio_id), "_id": to_uuid(user.id)},
            without_id(user_to_doc(saved)),
            expected_revision=expected_revision,
            not_found=UserNotFoundError(details={"user_id": user.id}),
            unique=_UNIQUE,
        )
        return saved

    async def delete(self, studio_id: StudioId, user_id: UserId) -> None:
        tenant, key = lookup_uuid(studio_id), lookup_uuid(user_id)
        deleted = 0
        if tenant is not None and key is not None:
            with self._context.writing(USERS):
                result = await self._users.delete_one(
                    {"studio_id": tenant, "_id": key}, session=self._context.session
                )
                deleted = result.deleted_count
        if not deleted:
            raise UserNotFoundError(details={"user_id": user_id})
        # Same unit of work: with a transaction, the user and its sessions go together.
        with self._context.writing(SESSIONS):
            await self._sessions.delete_many(
                {"studio_id": tenant, "user_id": key}, session=self._context.session
            )

    async def _find_one(self, studio_id: StudioId, match: Document) -> Document | None:
        tenant = lookup_uuid(studio_id)
        if tenant is None or any(value is None for value in match.values()):
            return None
        return await self._users.find_one(
            {"studio_id": tenant, **match}, session=self._context.session
        )

    # Last in the class: a method named ``list`` shadows the builtin for what follows.
    async def list(self, studio_id: StudioId, query: UserQuery) -> Page[User]:
        tenant = lookup_uuid(studio_id)
        if tenant is None:
            return Page((), query.window.limit, total=0)
        match: Document = {"studio_id": tenant}
        if query.role is not None:
            match["role"] = query.role.value
        field = _SORT_FIELDS[query.sort.field]
        order = sort_order(field, query.sort.direction)
        window = query.window
        session = self._context.session
        if not isinstance(window, KeysetWindow):
            total = await self._users.count_documents(match, session=session)
            cursor = self._users.find(match, session=session).sort(order)
            docs = await cursor.skip(window.offset).limit(window.limit).to_list()
            items = tuple(user_from_doc(doc) for doc in docs)
            return Page(items, window.limit, page=window.page, total=total)
        if window.after is not None:
            value = stored_value(field, window.after, instants=_INSTANTS)
            match |= after_filter(field, value, key_id(window.after), query.sort.direction)
        cursor = self._users.find(match, session=session).sort(order)
        # One more than asked: whether anything follows, without a second query.
        docs = await cursor.limit(window.limit + 1).to_list()
        items = tuple(user_from_doc(doc) for doc in docs[: window.limit])
        more = len(docs) > window.limit
        next_after = sort_key(field, docs[window.limit - 1], instants=_INSTANTS) if more else None
        return Page(items, window.limit, next_after=next_after)
