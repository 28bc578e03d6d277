"""Chunked AES-256-GCM: round trips, and any alteration or cut is refused."""

import io
import struct

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from backups import crypto

fixture_ok = hypothesis_settings(suppress_health_check=[HealthCheck.function_scoped_fixture])


def encrypt(data: bytes, chunk_size: int = 64, key_id: str | None = None) -> bytes:
    out = io.BytesIO()
    crypto.encrypt_stream(io.BytesIO(data), out, key_id, chunk_size=chunk_size)
    return out.getvalue()


def decrypt(blob: bytes) -> bytes:
    out = io.BytesIO()
    crypto.decrypt_stream(io.BytesIO(blob), out)
    return out.getvalue()


@fixture_ok
@given(data=st.binary(max_size=3000), chunk_size=st.integers(min_value=1, max_value=700))
def test_round_trip_for_any_bytes_and_chunk_size(backup_keys, data, chunk_size):
    assert decrypt(encrypt(data, chunk_size)) == data


@fixture_ok
@given(
    data=st.binary(max_size=600),
    chunk_size=st.integers(min_value=1, max_value=200),
    position=st.floats(min_value=0, max_value=1, exclude_max=True),
    mask=st.integers(min_value=1, max_value=255),
)
def test_any_flipped_byte_is_refused(backup_keys, data, chunk_size, position, mask):
    blob = bytearray(encrypt(data, chunk_size))
    blob[int(position * len(blob))] ^= mask
    with pytest.raises(crypto.BackupCryptoError):
        decrypt(bytes(blob))


@fixture_ok
@given(
    data=st.binary(max_size=600),
    chunk_size=st.integers(min_value=1, max_value=200),
    position=st.floats(min_value=0, max_value=1, exclude_max=True),
)
def test_any_truncation_is_refused(backup_keys, data, chunk_size, position):
    blob = encrypt(data, chunk_size)
    with pytest.raises(crypto.BackupCryptoError):
        decrypt(blob[: int(position * len(blob))])


def _split(blob: bytes) -> tuple[bytes, list[bytes]]:
    """The header and the frames of an encrypted stream (knowing the layout)."""
    key_id_length = blob[7]
    header_size = 8 + key_id_length + 4 + crypto.STREAM_ID_BYTES
    frames, offset = [], header_size
    while offset < len(blob):
        _flag, length = struct.unpack_from(">BI", blob, offset)
        end = offset + 5 + crypto.NONCE_BYTES + length
        frames.append(blob[offset:end])
        offset = end
    return blob[:header_size], frames


def test_reordered_chunks_are_refused(backup_keys):
    header, frames = _split(encrypt(b"a" * 10 + b"b" * 10 + b"c" * 5, chunk_size=10))
    assert len(frames) == 3
    with pytest.raises(crypto.CorruptedBackup):
        decrypt(header + frames[1] + frames[0] + frames[2])


def test_dropping_the_last_chunk_is_refused(backup_keys):
    header, frames = _split(encrypt(b"x" * 30, chunk_size=10))
    with pytest.raises(crypto.CorruptedBackup, match="tronquée"):
        decrypt(header + b"".join(frames[:-1]))


def test_chunks_from_another_backup_are_refused(backup_keys):
    header_a, frames_a = _split(encrypt(b"x" * 20, chunk_size=10))
    _header_b, frames_b = _split(encrypt(b"x" * 20, chunk_size=10))
    with pytest.raises(crypto.CorruptedBackup):
        decrypt(header_a + frames_a[0] + frames_b[1])


def test_data_after_the_last_chunk_is_refused(backup_keys):
    with pytest.raises(crypto.CorruptedBackup, match="inattendues"):
        decrypt(encrypt(b"payload") + b"\x00")


def test_empty_input_round_trips(backup_keys):
    assert decrypt(encrypt(b"")) == b""


def test_ciphertext_does_not_contain_the_plaintext(backup_keys):
    assert b"PGDMP secret" not in encrypt(b"PGDMP secret" * 50, chunk_size=1000)


def test_an_older_key_still_decrypts_after_rotation(backup_keys, settings):
    blob = encrypt(b"ancienne", key_id="test-0")
    settings.BACKUP_ACTIVE_KEY_ID = "test-1"
    assert decrypt(blob) == b"ancienne"
    assert crypto.decrypt_stream(io.BytesIO(blob), io.BytesIO()) == "test-0"


def test_unknown_key_id_is_named_in_french(backup_keys, settings):
    blob = encrypt(b"data", key_id="test-0")
    settings.BACKUP_ENCRYPTION_KEYS = {"test-1": backup_keys["test-1"]}
    with pytest.raises(crypto.UnknownEncryptionKey, match="« test-0 » est inconnue"):
        decrypt(blob)


def test_missing_configuration_is_refused_in_french(settings):
    settings.BACKUP_ENCRYPTION_KEYS = {}
    settings.BACKUP_ACTIVE_KEY_ID = ""
    with pytest.raises(crypto.EncryptionKeyMissing, match="Aucune clé de chiffrement"):
        encrypt(b"data")


def test_active_key_absent_from_the_keys_is_refused(backup_keys, settings):
    settings.BACKUP_ACTIVE_KEY_ID = "retiree"
    with pytest.raises(crypto.UnknownEncryptionKey, match="« retiree »"):
        crypto.active_key_id()


def test_key_of_the_wrong_length_is_refused(settings):
    settings.BACKUP_ENCRYPTION_KEYS = {"court": "c2hvcnQ="}
    settings.BACKUP_ACTIVE_KEY_ID = "court"
    with pytest.raises(crypto.InvalidEncryptionKey, match="32 octets"):
        encrypt(b"data")


def test_not_a_backup_is_refused():
    with pytest.raises(crypto.CorruptedBackup, match="n'est pas une sauvegarde"):
        decrypt(b"PGDMP\x01\x0e\x00" + b"\x00" * 100)
