"""Streaming, authenticated encryption of backup files (AES-256-GCM in framed chunks).

A dump can be far larger than memory, so it is encrypted chunk by chunk. Layout (integers
big-endian):

    header  MAGIC (6) | version (1) | key id length (1) | key id (utf-8) | chunk size (4)
            | stream id (16 random bytes)
    frame   flag (1: 0 = more follow, 1 = last) | ciphertext length (4) | nonce (12)
            | ciphertext with its 16-byte tag

Each chunk is sealed with its own random nonce; its associated data is the whole header,
the chunk's index (8) and its flag. Hence a chunk cannot be moved to another position or
into another file (the stream id differs), the header cannot be altered, and a stream cut
anywhere is refused: it must end with exactly one frame flagged last, and nothing after it.

Keys come from settings.BACKUP_ENCRYPTION_KEYS ({key id: urlsafe base64 of 32 bytes});
new backups use settings.BACKUP_ACTIVE_KEY_ID. Old keys stay listed so old backups can
still be decrypted after a rotation: the key id travels in the header."""

import base64
import binascii
import os
import struct
from typing import Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

MAGIC = b"CNTBAK"
VERSION = 1
FORMAT_NAME = "aes-256-gcm-chunked/1"
KEY_BYTES = 32
NONCE_BYTES = 12
TAG_BYTES = 16
STREAM_ID_BYTES = 16
DEFAULT_CHUNK_SIZE = 1024 * 1024
MAX_CHUNK_SIZE = 16 * 1024 * 1024
FLAG_MORE, FLAG_LAST = 0, 1

_FIXED_HEADER = struct.Struct(">6sBB")  # magic, version, key id length
_CHUNK_SIZE = struct.Struct(">I")
_FRAME_HEAD = struct.Struct(">BI")  # flag, ciphertext length
_CHUNK_AAD = struct.Struct(">QB")  # index, flag


class Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


class Writable(Protocol):
    def write(self, data: bytes, /) -> int: ...


class BackupCryptoError(Exception):
    """Encryption or decryption cannot proceed; the message is French, for operators."""


class EncryptionKeyMissing(BackupCryptoError):
    pass


class UnknownEncryptionKey(BackupCryptoError):
    pass


class InvalidEncryptionKey(BackupCryptoError):
    pass


class CorruptedBackup(BackupCryptoError):
    """The encrypted data was altered, truncated, or is not one of our backups."""


def active_key_id() -> str:
    """The key id new backups are encrypted with; raise EncryptionKeyMissing if unset."""
    keys = settings.BACKUP_ENCRYPTION_KEYS or {}
    key_id = settings.BACKUP_ACTIVE_KEY_ID
    if not keys or not key_id:
        raise EncryptionKeyMissing(
            "Aucune clé de chiffrement des sauvegardes n'est configurée "
            "(BACKUP_ENCRYPTION_KEYS et BACKUP_ACTIVE_KEY_ID)."
        )
    _key_for(key_id)
    return key_id


def _key_for(key_id: str) -> bytes:
    keys = settings.BACKUP_ENCRYPTION_KEYS or {}
    if key_id not in keys:
        raise UnknownEncryptionKey(
            f"La clé de chiffrement « {key_id} » est inconnue : "
            "elle est absente de BACKUP_ENCRYPTION_KEYS."
        )
    encoded = str(keys[key_id]).strip()
    try:
        key = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
    except (binascii.Error, ValueError) as exc:
        raise InvalidEncryptionKey(
            f"La clé de chiffrement « {key_id} » n'est pas du base64 valide."
        ) from exc
    if len(key) != KEY_BYTES:
        raise InvalidEncryptionKey(
            f"La clé de chiffrement « {key_id} » doit faire {KEY_BYTES} octets "
            f"(elle en fait {len(key)})."
        )
    return key


def _read_exact(src: Readable, size: int) -> bytes:
    """Up to `size` bytes; fewer only at the end of the stream."""
    parts: list[bytes] = []
    remaining = size
    while remaining > 0:
        part = src.read(remaining)
        if not part:
            break
        parts.append(part)
        remaining -= len(part)
    return b"".join(parts)


def _header(key_id: str, chunk_size: int, stream_id: bytes) -> bytes:
    encoded = key_id.encode("utf-8")
    if not 0 < len(encoded) < 256:
        raise InvalidEncryptionKey("L'identifiant de clé doit faire entre 1 et 255 octets.")
    return (
        _FIXED_HEADER.pack(MAGIC, VERSION, len(encoded))
        + encoded
        + _CHUNK_SIZE.pack(chunk_size)
        + stream_id
    )


def encrypt_stream(
    src: Readable,
    dst: Writable,
    key_id: str | None = None,
    *,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
) -> str:
    """Encrypt everything readable from `src` into `dst`; return the key id used.

    key_id defaults to the active key. Memory use is about two chunks."""
    if not 0 < chunk_size <= MAX_CHUNK_SIZE:
        raise ValueError(f"chunk_size must be in 1..{MAX_CHUNK_SIZE}")
    key_id = key_id or active_key_id()
    aead = AESGCM(_key_for(key_id))
    header = _header(key_id, chunk_size, os.urandom(STREAM_ID_BYTES))
    dst.write(header)
    index = 0
    current = _read_exact(src, chunk_size)
    while True:
        following = _read_exact(src, chunk_size) if len(current) == chunk_size else b""
        flag = FLAG_MORE if following else FLAG_LAST
        nonce = os.urandom(NONCE_BYTES)
        sealed = aead.encrypt(nonce, current, header + _CHUNK_AAD.pack(index, flag))
        dst.write(_FRAME_HEAD.pack(flag, len(sealed)) + nonce + sealed)
        if flag == FLAG_LAST:
            return key_id
        current, index = following, index + 1


def _read_header(src: Readable) -> tuple[bytes, str, int]:
    fixed = _read_exact(src, _FIXED_HEADER.size)
    if len(fixed) < _FIXED_HEADER.size:
        raise CorruptedBackup("La sauvegarde chiffrée est tronquée (en-tête incomplet).")
    magic, version, key_id_length = _FIXED_HEADER.unpack(fixed)
    if magic != MAGIC:
        raise CorruptedBackup("Ce fichier n'est pas une sauvegarde chiffrée de la plateforme.")
    if version != VERSION:
        raise CorruptedBackup(f"Version de format de sauvegarde non prise en charge : {version}.")
    rest_size = key_id_length + _CHUNK_SIZE.size + STREAM_ID_BYTES
    rest = _read_exact(src, rest_size)
    if len(rest) < rest_size:
        raise CorruptedBackup("La sauvegarde chiffrée est tronquée (en-tête incomplet).")
    try:
        key_id = rest[:key_id_length].decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CorruptedBackup("L'en-tête de la sauvegarde chiffrée est illisible.") from exc
    (chunk_size,) = _CHUNK_SIZE.unpack_from(rest, key_id_length)
    if not 0 < chunk_size <= MAX_CHUNK_SIZE:
        raise CorruptedBackup("L'en-tête de la sauvegarde chiffrée est invalide.")
    return fixed + rest, key_id, chunk_size


def decrypt_stream(src: Readable, dst: Writable) -> str:
    """Decrypt a stream written by encrypt_stream into `dst`; return the key id it used.

    Plaintext is written chunk by chunk as each one is authenticated, so when this raises
    (CorruptedBackup, UnknownEncryptionKey...), `dst` holds a partial result the caller
    must discard."""
    header, key_id, chunk_size = _read_header(src)
    aead = AESGCM(_key_for(key_id))
    index = 0
    while True:
        head = _read_exact(src, _FRAME_HEAD.size)
        if len(head) < _FRAME_HEAD.size:
            raise CorruptedBackup(
                "La sauvegarde chiffrée est tronquée : le dernier bloc est manquant."
            )
        flag, length = _FRAME_HEAD.unpack(head)
        if flag not in (FLAG_MORE, FLAG_LAST) or not TAG_BYTES <= length <= chunk_size + TAG_BYTES:
            raise CorruptedBackup(f"La sauvegarde chiffrée est corrompue (bloc {index}).")
        body = _read_exact(src, NONCE_BYTES + length)
        if len(body) < NONCE_BYTES + length:
            raise CorruptedBackup(f"La sauvegarde chiffrée est tronquée (bloc {index}).")
        try:
            plain = aead.decrypt(
                body[:NONCE_BYTES], body[NONCE_BYTES:], header + _CHUNK_AAD.pack(index, flag)
            )
        except InvalidTag as exc:
            raise CorruptedBackup(
                f"La sauvegarde chiffrée a été modifiée ou est corrompue (bloc {index})."
            ) from exc
        dst.write(plain)
        if flag == FLAG_LAST:
            break
        index += 1
    if src.read(1):
        raise CorruptedBackup("Des données inattendues suivent la fin de la sauvegarde chiffrée.")
    return key_id


def key_generate() -> str:
    """A new random key, encoded as BACKUP_ENCRYPTION_KEYS expects it."""
    return base64.urlsafe_b64encode(AESGCM.generate_key(bit_length=256)).decode("ascii")
