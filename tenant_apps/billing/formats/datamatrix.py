"""DGFiP Datamatrix for "avis des sommes à payer" (paiement de proximité), finance.md §1.

`datamatrix_payload(inp)` builds the 130-character payload of §1.2 with the check keys of
§1.3 (Noethys debt-key variant, §1.7.1). `debt_reference` is the ONE function that gives
the NumDette, the debt key and the PES `Cle2` letter: the PES builder (`pes.py`) calls it
too, so the code printed on the invoice always matches the piece sent to the accountant.
Unverified choices live in `dgfip_choices.py`.
"""

import ctypes
from dataclasses import dataclass
from functools import cached_property
from io import BytesIO

from . import dgfip_choices as choices

PAYLOAD_LENGTH = 130
MAX_AMOUNT_CENTS = 99_999_999
#: §1.3: the 23-letter alphabet of the PES Cle2 (no I, O, Z).
CLE2_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXY"
PAYLOAD_CHARSET = frozenset("0123456789 ABCDEFGHIJKLMNOPQRSTUVWXYZ")
#: §1.8: ECC 200 square symbol expected for this payload, quiet zone of 2 modules.
SYMBOL_MODULES = 36
QUIET_ZONE_MODULES = 2


def _digits(value: str, *, what: str, max_len: int) -> str:
    if not value or not value.isascii() or not value.isdigit() or len(value) > max_len:
        raise ValueError(f"{what} invalide : « {value} » (au plus {max_len} chiffres).")
    return value


def weighted_sum(digits: str) -> int:
    """W(s) of §1.3: digit × weight, weights 1, 2, 3… counted from the right.

    Spaces count as 0; any other non-digit is an error."""
    total = 0
    for weight, char in enumerate(reversed(digits), start=1):
        if char == " ":
            continue
        if not char.isdigit():
            raise ValueError(f"Caractère non numérique dans une zone à clé : « {char} ».")
        total += int(char) * weight
    return total


def key5(positions_65_75: str) -> str:
    """Key 5 (position 76): 11 − (N mod 11) over the 11 digits at 65–75; 10→0, 11→1."""
    _digits(positions_65_75, what="Zone 65-75", max_len=11)
    if len(positions_65_75) != 11:
        raise ValueError("La zone 65-75 doit compter 11 chiffres.")
    return str(11 - int(positions_65_75) % 11)[-1]


def key3(positions_77_86: str) -> str:
    """Key 3 (positions 87–88): W(positions 77–86) mod 100 on two digits (always 60 with
    the constants of `dgfip_choices`)."""
    if len(positions_77_86) != 10:
        raise ValueError("La zone 77-86 doit compter 10 chiffres.")
    return f"{weighted_sum(positions_77_86) % 100:02d}"


def key2(positions_92_116: str) -> str:
    """Key 2 (positions 90–91): W(positions 92–116, 25 characters) mod 100, two digits."""
    if len(positions_92_116) != 25:
        raise ValueError("La zone 92-116 doit compter 25 caractères.")
    return f"{weighted_sum(positions_92_116) % 100:02d}"


def key1(amount_field: str) -> str:
    """Key 1 (positions 117–118): W("806" + the 8-character amount field, spaces as 0)
    mod 100, two digits; "806" gets the weights 11, 10, 9."""
    if len(amount_field) != 8:
        raise ValueError("Le champ montant doit compter 8 caractères.")
    prefix = choices.NATURE_CODE + choices.BDF_PROCESSING_CODE
    return f"{weighted_sum(prefix + amount_field) % 100:02d}"


def debt_key(*, exercise: int, month: int, debt_number: str) -> int:
    """Debt key (1–23), Noethys variant (§1.3, §1.7.1): (M mod 23) + 1 where
    M = yy ‖ month ‖ "00" ‖ NumDette left-padded to 13 digits."""
    yy = f"{exercise % 100:02d}"
    number = debt_number.zfill(choices.DEBT_KEY_NUMDETTE_WIDTH)
    return int(yy + choices.key_month_digits(month) + "00" + number) % 23 + 1


def pes_cle2_letter(key: int) -> str:
    """The PES `Cle2` letter for a debt key: the key-th letter of ABCDEFGHJKLMNPQRSTUVWXY."""
    if not 1 <= key <= 23:
        raise ValueError(f"Clé de dette hors bornes : {key} (attendu 1 à 23).")
    return CLE2_ALPHABET[key - 1]


def two_letter_code(code: str) -> str:
    """Establishment / product code on 3 digits (§1.4): digits are left-padded to 3;
    two letters XY become (X − 'A') × 26 + (Y − 'A') + 1 (AA=001 … ZZ=676)."""
    value = code.strip().upper()
    if value.isascii() and value.isdigit() and 1 <= len(value) <= 3:
        return value.zfill(3)
    if len(value) == 2 and value.isascii() and value.isalpha():
        return f"{(ord(value[0]) - 65) * 26 + (ord(value[1]) - 65) + 1:03d}"
    raise ValueError(f"Code « {code} » invalide : 1 à 3 chiffres ou 2 lettres attendus.")


@dataclass(frozen=True)
class DebtReference:
    """What identifies one debt (one PES pièce) at the DGFiP: NumDette, Per and Cle2."""

    exercise: int
    month: int
    debt_number: str  # plain digits, no padding
    key: int  # 1–23

    @property
    def period(self) -> str:
        return choices.period_code(self.month)

    @property
    def num_dette_15(self) -> str:
        return self.debt_number.zfill(15)

    @property
    def pes_num_dette(self) -> str:
        return self.num_dette_15 if choices.PES_NUM_DETTE_ZERO_PADDED else self.debt_number

    @property
    def key_digits(self) -> str:
        return f"{self.key:02d}"

    @property
    def cle2(self) -> str:
        return pes_cle2_letter(self.key)


def debt_reference(*, exercise: int, month: int, debt_number: int | str) -> DebtReference:
    """The single source of NumDette, Per and the debt key for the Datamatrix AND the PES.

    `debt_number` is the invoice's numeric debt number (1 to 13 digits, not zero)."""
    if not 1000 <= exercise <= 9999:
        raise ValueError(f"Exercice invalide : {exercise}.")
    choices.period_code(month)  # validates the month
    number = _digits(str(debt_number), what="Numéro de dette", max_len=13).lstrip("0")
    if not number:
        raise ValueError("Le numéro de dette ne peut pas être nul.")
    key = debt_key(exercise=exercise, month=month, debt_number=number)
    return DebtReference(exercise=exercise, month=month, debt_number=number, key=key)


@dataclass(frozen=True)
class DatamatrixInput:
    """Everything the payload needs. `amount_cents` is the amount still due (see
    `dgfip_choices.DATAMATRIX_AMOUNT`), in integer euro cents."""

    establishment_code: str  # 3 digits or 2 letters (Hélios flow parameters)
    product_code: str  # the PES CodProdLoc; its first 2 characters are encoded
    exercise: int  # the PES Exer (year)
    month: int  # invoicing month: gives Per and enters the debt key
    debt_number: int | str  # the PES NumDette
    poste_comptable: str  # the PES IdPost, up to 6 digits
    amount_cents: int

    @cached_property
    def debt(self) -> DebtReference:
        return debt_reference(
            exercise=self.exercise, month=self.month, debt_number=self.debt_number
        )


def amount_field(amount_cents: int) -> str:
    """Positions 123–130: cents right-aligned on 8, padded with spaces, at least 3 digits."""
    if isinstance(amount_cents, bool) or not isinstance(amount_cents, int):
        raise ValueError("Le montant doit être un nombre entier de centimes.")
    if amount_cents <= 0:
        raise ValueError("Le montant à payer doit être strictement positif.")
    if amount_cents > MAX_AMOUNT_CENTS:
        raise ValueError("Le montant dépasse le maximum du code Datamatrix (999 999,99 €).")
    return f"{amount_cents:03d}".rjust(8)


def datamatrix_payload(inp: DatamatrixInput) -> str:
    """The 130-character payload of finance.md §1.2 (printable ASCII: digits and spaces)."""
    money = amount_field(inp.amount_cents)
    debt = inp.debt
    poste = _digits(inp.poste_comptable.strip(), what="Code poste comptable", max_len=6)
    product = two_letter_code(inp.product_code.strip()[:2])
    zone_65_75 = (
        two_letter_code(inp.establishment_code)
        + debt.period
        + product
        + choices.PRODUCT_CODE_SUFFIX
        + f"{inp.exercise % 100:02d}"
    )
    zone_77_86 = choices.ISSUER_CODE + choices.BANK_ESTABLISHMENT_CODE
    zone_92_116 = (
        debt.key_digits
        + debt.num_dette_15
        + poste.zfill(6)
        + choices.APPLICATION_CODE
        + choices.DOCUMENT_CODE
    )
    payload = (
        choices.BUSINESS_DATA_ZONE
        + choices.RESERVED_ZONE
        + zone_65_75
        + key5(zone_65_75)
        + zone_77_86
        + key3(zone_77_86)
        + " "
        + key2(zone_92_116)
        + zone_92_116
        + key1(money)
        + choices.NATURE_CODE
        + choices.BDF_PROCESSING_CODE
        + " "
        + money
    )
    if len(payload) != PAYLOAD_LENGTH or not set(payload) <= PAYLOAD_CHARSET:
        raise ValueError("Code Datamatrix mal formé.")  # unreachable by construction
    return payload


def datamatrix_modules(payload: str) -> list[list[bool]]:
    """The symbol's modules (True = dark), ECC 200, square, without the quiet zone.

    pylibdmtx's `encode()` cannot ask for libdmtx's optimising ("AutoBest") scheme, which
    is what fits this payload in 36 × 36 modules (§1.8), so the wrapper is called here."""
    from pylibdmtx.wrapper import (
        DmtxProperty,
        DmtxScheme,
        DmtxSymbolSize,
        c_ubyte_p,
        dmtxEncodeCreate,
        dmtxEncodeDataMatrix,
        dmtxEncodeDestroy,
        dmtxEncodeSetProp,
        dmtxImageGetProp,
    )

    raw_data = payload.encode("ascii")
    data = (ctypes.c_ubyte * len(raw_data)).from_buffer_copy(raw_data)
    encoder = dmtxEncodeCreate()
    if not encoder:
        raise RuntimeError("libdmtx : impossible de créer l'encodeur.")
    try:
        dmtxEncodeSetProp(encoder, DmtxProperty.DmtxPropScheme, DmtxScheme.DmtxSchemeAutoBest)
        dmtxEncodeSetProp(
            encoder, DmtxProperty.DmtxPropSizeRequest, DmtxSymbolSize.DmtxSymbolSquareAuto
        )
        dmtxEncodeSetProp(encoder, DmtxProperty.DmtxPropModuleSize, 1)
        dmtxEncodeSetProp(encoder, DmtxProperty.DmtxPropMarginSize, 0)
        if not dmtxEncodeDataMatrix(encoder, len(raw_data), ctypes.cast(data, c_ubyte_p)):
            raise ValueError("Impossible d'encoder ce code Datamatrix.")
        image = encoder[0].image
        width = dmtxImageGetProp(image, DmtxProperty.DmtxPropWidth)
        height = dmtxImageGetProp(image, DmtxProperty.DmtxPropHeight)
        bpp = dmtxImageGetProp(image, DmtxProperty.DmtxPropBitsPerPixel)
        raw = ctypes.string_at(image[0].pxl, width * height * bpp // 8)
    finally:
        dmtxEncodeDestroy(ctypes.byref(encoder))
    step = bpp // 8
    return [
        [raw[(row * width + col) * step] < 128 for col in range(width)] for row in range(height)
    ]


def datamatrix_png(payload: str, *, module_px: int = 10) -> bytes:
    """A black-on-white PNG of the symbol, `module_px` pixels per module, with a quiet
    zone of 2 modules (§1.8). 36 × 36 modules for a 130-character payload."""
    from PIL import Image

    modules = datamatrix_modules(payload)
    size = len(modules) + 2 * QUIET_ZONE_MODULES
    image = Image.new("L", (size, size), 255)
    for row, line in enumerate(modules):
        for col, dark in enumerate(line):
            if dark:
                image.putpixel((col + QUIET_ZONE_MODULES, row + QUIET_ZONE_MODULES), 0)
    image = image.resize((size * module_px, size * module_px), Image.Resampling.NEAREST)
    out = BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def datamatrix_svg(payload: str) -> str:
    """The symbol as vector SVG (one path, one unit per module, 2-module quiet zone), so the
    PDF prints it sharp at any resolution (§1.8: render as vector or ≥ 300 dpi)."""
    modules = datamatrix_modules(payload)
    size = len(modules) + 2 * QUIET_ZONE_MODULES
    parts = []
    for row, line in enumerate(modules):
        col = 0
        while col < len(line):
            if line[col]:
                start = col
                while col < len(line) and line[col]:
                    col += 1
                x, y = start + QUIET_ZONE_MODULES, row + QUIET_ZONE_MODULES
                parts.append(f"M{x} {y}h{col - start}v1h-{col - start}z")
            else:
                col += 1
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" '
        f'width="{size}" height="{size}" shape-rendering="crispEdges">'
        f'<rect width="{size}" height="{size}" fill="#fff"/>'
        f'<path fill="#000" d="{"".join(parts)}"/></svg>'
    )
