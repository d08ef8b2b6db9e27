"""Check a presigned S3 URL the way S3 does, for what moto does not check.

moto's server accepts any presigned URL (no signature, no expiry check). This recomputes the
SigV4 query signature from the request a client would actually send, with botocore's own
signer, so a test can show that S3 would refuse another Content-Type, another length, another
host, or a stale URL.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, urlsplit, urlunsplit

from botocore.auth import S3SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials


@dataclass(frozen=True, slots=True, kw_only=True)
class Presigned:
    signed_headers: tuple[str, ...]
    signed_at: datetime
    lifetime: timedelta
    host: str

    @property
    def expires_at(self) -> datetime:
        return self.signed_at + self.lifetime


def read_presigned(url: str) -> Presigned:
    query = dict(parse_qsl(urlsplit(url).query, keep_blank_values=True))
    return Presigned(
        signed_headers=tuple(query["X-Amz-SignedHeaders"].split(";")),
        signed_at=datetime.strptime(query["X-Amz-Date"], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC),
        lifetime=timedelta(seconds=int(query["X-Amz-Expires"])),
        host=urlsplit(url).netloc,
    )


def signature_matches(
    url: str,
    *,
    method: str,
    headers: dict[str, str],
    secret_access_key: str,
    host: str | None = None,
) -> bool:
    """Would S3 accept this URL for a request with ``headers``, sent to ``host``?

    As S3 does, the headers named in ``X-Amz-SignedHeaders`` are read from the request (a
    missing one makes the signature differ), and the host is the one the request reached.
    """
    parts = urlsplit(url)
    params = dict(parse_qsl(parts.query, keep_blank_values=True))
    access_key_id, _, region, service, _ = params["X-Amz-Credential"].split("/")
    sent = {name.lower(): value for name, value in headers.items()}
    sent["host"] = host or parts.netloc
    signed = {name: sent.get(name, "") for name in params["X-Amz-SignedHeaders"].split(";")}
    # botocore signs the query string as written (it does not re-encode it): keep it so.
    unsigned_query = "&".join(
        pair for pair in parts.query.split("&") if not pair.startswith("X-Amz-Signature=")
    )
    unsigned_url = urlunsplit(parts._replace(query=unsigned_query))
    auth = S3SigV4QueryAuth(
        Credentials(access_key_id, secret_access_key),
        service,
        region,
        expires=int(params["X-Amz-Expires"]),
    )
    request = AWSRequest(method=method, url=unsigned_url, headers=signed)
    request.context["timestamp"] = params["X-Amz-Date"]
    canonical = auth.canonical_request(request)
    expected = auth.signature(auth.string_to_sign(request, canonical), request)
    return expected == params["X-Amz-Signature"]
