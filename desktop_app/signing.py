"""Ed25519 signatures for certificates (R15), with the `cryptography` package: the adapter behind
services.ports.CertificateSigner.

The office installation holds the private key (a PEM file only its user can read, made once by
`makersupport certificate keygen`). Every installation verifies with the public keys it trusts:
those shipped with the program in resources/keys/, and the installation's own. A key is named by
its id, the first 8 bytes of the SHA-256 of its raw public key, which the certificate's QR carries.
The `cryptography` package is imported when a key is first made, read or used, not at start-up.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import TYPE_CHECKING

from desktop_app.domain.certificate import SignedCode
from desktop_app.errors import UserFacingError
from desktop_app.i18n import _

PRIVATE_KEY_NAME = "certificate-signing.key"
PUBLIC_SUFFIX = ".pub"

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey


def key_id(public_key: Ed25519PublicKey) -> bytes:
    from cryptography.hazmat.primitives import serialization

    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).digest()[:8]


def _public_pem(public_key: Ed25519PublicKey) -> bytes:
    from cryptography.hazmat.primitives import serialization

    return public_key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def generate_keys(folder: Path) -> tuple[Path, Path]:
    """A new office key pair in folder: (private key, public key). Never replaces a key: every
    certificate issued with the old one would stop verifying."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    folder.mkdir(parents=True, exist_ok=True)
    private_path = folder / PRIVATE_KEY_NAME
    if private_path.exists():
        raise UserFacingError(
            _("This installation already has a signing key ({path}); it is never replaced.").format(path=private_path)
        )
    private_key = Ed25519PrivateKey.generate()
    pem = private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    # Created readable by its owner only, before any byte is written.
    fd = os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)
    public_path = folder / f"makeR-{key_id(private_key.public_key()).hex()}{PUBLIC_SUFFIX}"
    public_path.write_bytes(_public_pem(private_key.public_key()))
    return private_path, public_path


class Ed25519CertificateSigner:
    """Args:
    private_key: the office's key file (it may not exist: then this installation only verifies).
    trusted_folders: folders whose *.pub files are trusted public keys.
    """

    def __init__(self, private_key: Path, trusted_folders: list[Path]) -> None:
        self._private_path = private_key
        self._trusted_folders = trusted_folders
        self._private: Ed25519PrivateKey | None = None
        self._trusted: dict[bytes, Ed25519PublicKey] | None = None

    @property
    def can_sign(self) -> bool:
        return self._private_path.is_file()

    def sign(self, payload: bytes) -> SignedCode:
        """Raises UserFacingError when this installation has no signing key."""
        private = self._load_private()
        return SignedCode(key_id(private.public_key()), payload, private.sign(payload))

    def verify(self, code: SignedCode) -> bool | None:
        """True: genuine; False: a trusted key's signature that does not match (altered facts);
        None: signed by a key this installation does not trust."""
        from cryptography.exceptions import InvalidSignature

        public = self._own_public_key(code.key_id) or self._trusted_keys().get(code.key_id)
        if public is None:
            return None
        try:
            public.verify(code.signature, code.payload)
        except InvalidSignature:
            return False
        return True

    def public_key(self) -> bytes | None:
        """The raw 32 bytes of this installation's public key; None when it cannot sign."""
        from cryptography.hazmat.primitives import serialization

        if not self.can_sign:
            return None
        public = self._load_private().public_key()
        return public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)

    def trusted_public_keys(self) -> list[bytes]:
        """The raw 32 bytes of every key this installation verifies with (its own first), each once."""
        from cryptography.hazmat.primitives import serialization

        own = self.public_key()
        keys = [] if own is None else [own]
        for public in self._trusted_keys().values():
            raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
            if raw not in keys:
                keys.append(raw)
        return keys

    # -- internals -------------------------------------------------------------------------------

    def _load_private(self) -> Ed25519PrivateKey:
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

        if self._private is None:
            if not self.can_sign:
                raise UserFacingError(
                    _(
                        "This installation has no certificate signing key. The office creates it once with "
                        "“makersupport certificate keygen”."
                    )
                )
            loaded = serialization.load_pem_private_key(self._private_path.read_bytes(), password=None)
            if not isinstance(loaded, Ed25519PrivateKey):
                raise UserFacingError(_("{path} is not an Ed25519 signing key.").format(path=self._private_path))
            self._private = loaded
        return self._private

    def _trusted_keys(self) -> dict[bytes, Ed25519PublicKey]:
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

        if self._trusted is None:
            trusted: dict[bytes, Ed25519PublicKey] = {}
            for folder in self._trusted_folders:
                for path in sorted(folder.glob(f"*{PUBLIC_SUFFIX}")) if folder.is_dir() else ():
                    try:
                        loaded = serialization.load_pem_public_key(path.read_bytes())
                    except ValueError:
                        continue  # not a key: ignored rather than trusted by accident
                    if isinstance(loaded, Ed25519PublicKey):
                        trusted[key_id(loaded)] = loaded
            self._trusted = trusted
        return self._trusted

    def _own_public_key(self, wanted: bytes) -> Ed25519PublicKey | None:
        """This installation's own key, looked at on every check: it may be created (keygen)
        while the program runs."""
        if not self.can_sign:
            return None
        own = self._load_private().public_key()
        return own if key_id(own) == wanted else None
