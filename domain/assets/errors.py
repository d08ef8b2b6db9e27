"""Errors of the assets context."""

from domain.shared.errors import ConflictError, InvalidInputError, NotFoundError


class AssetNotFoundError(NotFoundError):
    code = "asset_not_found"
    default_message = "No such asset."


class AssetNameTakenError(ConflictError):
    code = "asset_name_taken"
    default_message = "Another asset of this studio already has this name."


class IllegalTransitionError(ConflictError):
    code = "illegal_transition"
    default_message = "The asset cannot move to that status from its current one."


class DependencyCycleError(ConflictError):
    code = "dependency_cycle"
    default_message = "These dependencies would make the asset depend on itself."


class VersionNotForwardError(ConflictError):
    code = "version_not_forward"
    default_message = "An asset's current version only moves forward."


class InvalidAssetError(InvalidInputError):
    code = "invalid_asset"
    default_message = "The asset is not valid."


class AssetVersionNotFoundError(NotFoundError):
    code = "asset_version_not_found"
    default_message = "No such version of this asset."


class AssetNotDeletedError(ConflictError):
    code = "asset_not_deleted"
    default_message = "Only a deleted asset can be purged; delete it first."


class AssetInUseError(ConflictError):
    code = "asset_in_use"
    default_message = "Other assets depend on this one."
