"""A trustee's key file: its identity, ceremony state and key share, encrypted at rest.

Format (JSON, docs/protocol.md §8.6; the trustee page reads and writes the same)::

    {"format": "scrutin-trustee-key", "version": 2,
     "kdf": {"alg": "argon2id13", "salt": b64(16), "opslimit": N, "memlimit": M},
     "box": b64(nonce(24) ‖ XSalsa20-Poly1305(key, canonical JSON of the state))}

``key = argon2id(passphrase, salt, opslimit, memlimit)`` (libsodium ``crypto_pwhash``, 32 bytes),
the box is libsodium's ``crypto_secretbox``. A wrong passphrase (or an edited file) fails the
MAC: ``KeyFileError``, nothing changed. The file is created with mode 0600 from its first byte
(``os.open`` with the mode), written to a temporary file and renamed, never chmod-ed afterwards.
Version-1 files (plaintext JSON, before protocol 2) are still read, and are encrypted on the
next save.
"""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path
from typing import Any

from nacl import pwhash, secret, utils
from nacl.exceptions import CryptoError as NaclCryptoError

FORMAT = "scrutin-trustee-key"
AUTHORITY_FORMAT = "scrutin-credential-authority-key"
"""The credential authority's signing key (``scrutin credentials generate``): the same format
and the same care, under its own name so that one key file is never taken for the other."""
VERSION = 2
OPSLIMIT = pwhash.argon2id.OPSLIMIT_INTERACTIVE
MEMLIMIT = pwhash.argon2id.MEMLIMIT_INTERACTIVE


class KeyFileError(Exception):
    """The key file cannot be read: wrong passphrase, damaged, or not a key file."""


def write_private(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that no other user can ever read it (mode 0600 at creation,
    atomic rename)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    if tmp.exists():
        tmp.unlink()
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    tmp.replace(path)


class KeyFile:
    """Load and save one key file with one passphrase (the derived key is kept in memory so
    each save does not pay argon2id again)."""

    def __init__(self, path: Path, passphrase: str, file_format: str = FORMAT) -> None:
        self.format = file_format
        self.what = "trustee key file" if file_format == FORMAT else "credential-authority key file"
        if not passphrase:
            raise KeyFileError(f"a passphrase is required to protect the {self.what}")
        self.path = Path(path)
        self._passphrase = passphrase.encode()
        self._salt: bytes | None = None
        self._key: bytes | None = None
        self._ops, self._mem = OPSLIMIT, MEMLIMIT

    def _derive(self) -> bytes:
        if self._key is None:
            if self._salt is None:
                self._salt = utils.random(pwhash.argon2id.SALTBYTES)
            self._key = pwhash.argon2id.kdf(
                secret.SecretBox.KEY_SIZE,
                self._passphrase,
                self._salt,
                opslimit=self._ops,
                memlimit=self._mem,
            )
        return self._key

    def load(self) -> dict[str, Any]:
        """The state in the file ({} if there is no file yet)."""
        if not self.path.exists():
            return {}
        try:
            doc = json.loads(self.path.read_text())
        except (OSError, ValueError) as exc:
            raise KeyFileError(f"{self.path} is not a {self.what}: {exc}") from None
        if not isinstance(doc, dict):
            raise KeyFileError(f"{self.path} is not a {self.what}")
        if doc.get("format") != self.format:
            if self.format == FORMAT and "version" in doc and doc.get("version") == 1:
                return doc  # protocol-1 plaintext file: re-encrypted on the next save
            raise KeyFileError(f"{self.path} is not a {self.what}")
        if doc.get("version") != VERSION:
            raise KeyFileError(f"{self.path}: unsupported key file version {doc.get('version')}")
        try:
            kdf = doc["kdf"]
            if kdf["alg"] != "argon2id13":
                raise KeyFileError(f"{self.path}: unknown key derivation {kdf['alg']!r}")
            self._salt = base64.b64decode(kdf["salt"], validate=True)
            self._ops, self._mem = int(kdf["opslimit"]), int(kdf["memlimit"])
            self._key = None
            box = base64.b64decode(doc["box"], validate=True)
        except (KeyError, TypeError, ValueError) as exc:
            raise KeyFileError(f"{self.path} is damaged: {exc}") from None
        try:
            plain = secret.SecretBox(self._derive()).decrypt(box)
        except NaclCryptoError:
            self._key = None
            raise KeyFileError(f"wrong passphrase for {self.path} (or the file was altered)") from None
        state = json.loads(plain)
        if not isinstance(state, dict):  # pragma: no cover - we wrote it
            raise KeyFileError(f"{self.path} is damaged")
        return state

    def save(self, state: dict[str, Any]) -> None:
        key = self._derive()
        assert self._salt is not None
        plain = json.dumps(state, sort_keys=True, separators=(",", ":")).encode()
        box = secret.SecretBox(key).encrypt(plain)
        doc = {
            "format": self.format,
            "version": VERSION,
            "kdf": {
                "alg": "argon2id13",
                "salt": base64.b64encode(self._salt).decode(),
                "opslimit": self._ops,
                "memlimit": self._mem,
            },
            "box": base64.b64encode(bytes(box)).decode(),
        }
        write_private(self.path, json.dumps(doc, indent=2).encode())
