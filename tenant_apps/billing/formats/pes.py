"""PES V2 ORMC builder (perception mode): one bordereau, one pièce per invoice (finance.md §3).

`build_pes_ormc(deposit)` turns plain dataclasses into the `PES_Aller` XML the commune
sends to Hélios. NumDette, Per and Cle2 come from `datamatrix.debt_reference`, the same
function the printed Datamatrix uses, so the avis and the piece always agree. Amounts are
integer cents in, "244.90" out; the bordereau total is the sum of the pieces, each piece
the sum of its lines (checked before anything is written). Text goes upper case without
accents, cut to the lengths of `dgfip_choices.PES_MAX_LENGTHS`. Unverified codes live in
`dgfip_choices.py`. The official XSD is not bundled: validate against it before go-live.
"""

import xml.etree.ElementTree as ET  # noqa: S405 - we only WRITE XML here
from dataclasses import dataclass
from datetime import date

from . import dgfip_choices as choices
from .datamatrix import DebtReference, debt_reference
from .french import plain_upper


@dataclass(frozen=True)
class PesDebtor:
    """The household's responsible guardian as Hélios knows them (Tiers)."""

    last_name: str
    first_name: str
    address_line: str
    postcode: str
    city: str
    civility: str = ""  # "M" or "MME"
    tiers_id: str = ""  # IdTiers, when the SGC gave one
    category: str = choices.PES_DEFAULT_CAT_TIERS
    legal_nature: str = choices.PES_DEFAULT_NAT_JUR


@dataclass(frozen=True)
class PesDirectDebit:
    """InfoPrelevementSEPA + CpteBancaire, when the DGFiP debits the piece (§3.4)."""

    sequence: str  # OOFF, FRST, RCUR or FNAL
    debit_on: date
    mandate_reference: str  # RUM
    mandate_signed_on: date
    label: str
    bic: str
    iban: str
    account_holder: str


@dataclass(frozen=True)
class PesLine:
    """One LigneDePiece: a positive amount for one product code (discounts already netted)."""

    label: str
    amount_cents: int
    product_code: str = ""  # CodProdLoc; the deposit's default when empty
    nature: str = ""  # accounting nature; the deposit's default when empty


@dataclass(frozen=True)
class PesPiece:
    """One invoice = one pièce."""

    piece_id: str  # IdPce, unique in the bordereau
    invoice_number: str  # NumeroFacture as printed
    debt_number: int | str  # NumDette (digits), as in the invoice's Datamatrix
    label: str  # ObjPce
    debtor: PesDebtor
    lines: tuple[PesLine, ...]
    direct_debit: PesDirectDebit | None = None
    #: The invoice's month when it differs from the deposit's: Per, Cle1 and Cle2 must be
    #: computed from the SAME month as the invoice's printed Datamatrix.
    month: int | None = None

    @property
    def amount_cents(self) -> int:
        return sum(line.amount_cents for line in self.lines)


@dataclass(frozen=True)
class PesDeposit:
    """A deposited invoice group: the whole PES_Aller file."""

    file_name: str  # NomFic
    sender_name: str  # Emetteur/Sigle
    sender_address: str  # Emetteur/Adresse
    created_on: date  # DteStr
    poste_comptable: str  # IdPost
    collectivity_siret: str  # IdColl (14 digits)
    collectivity_code: str  # CodCol (3)
    budget_code: str  # CodBud
    exercise: int  # Exer
    month: int  # the invoicing month: Per, Cle1, Cle2
    bordereau_id: str  # IdBord (digits, up to 7)
    issued_on: date  # DteBordEm
    label: str  # Objet
    product_code: str  # default CodProdLoc
    pieces: tuple[PesPiece, ...]
    nature: str = choices.PES_DEFAULT_NATURE
    sent_on: date | None = None  # DteAsp; issued_on when None

    @property
    def total_cents(self) -> int:
        return sum(piece.amount_cents for piece in self.pieces)


def pes_amount(cents: int) -> str:
    """24490 → "244.90" (the PES writes euros with a decimal point)."""
    units, rest = divmod(cents, 100)
    return f"{units}.{rest:02d}"


def pes_cle1(
    *, collectivity_code: str, bordereau_id: str, exercise: int, month: int, debt_number: str
) -> str:
    """Cle1 (§3.3, Noethys, [NV]): over CodCol‖IdBord‖yy‖month‖NumDette(13), digits read
    right to left with the cycling weights 2…7 (non-digits count 0); 11 − (sum mod 11),
    any result above 9 becomes 1."""
    number = (
        collectivity_code
        + bordereau_id
        + f"{exercise % 100:02d}"
        + choices.key_month_digits(month)
        + debt_number.zfill(choices.DEBT_KEY_NUMDETTE_WIDTH)
    )
    total = sum(
        (int(char) if char.isdigit() else 0) * (2 + index % 6)
        for index, char in enumerate(reversed(number))
    )
    key = 11 - total % 11
    return str(1 if key > 9 else key)


def _text(value: str, tag: str) -> str:
    return plain_upper(value, choices.PES_MAX_LENGTHS.get(tag))


def _raw(value: str, tag: str) -> str:
    limit = choices.PES_MAX_LENGTHS.get(tag)
    value = value.strip()
    if limit is not None and len(value) > limit:
        raise ValueError(f"PES : « {value} » dépasse {limit} caractères pour {tag}.")
    return value


def _add(parent: ET.Element, tag: str, value: str | None = None) -> ET.Element:
    element = ET.SubElement(parent, tag)
    if value is not None:
        element.set("V", value)
    return element


def check_deposit(deposit: PesDeposit) -> None:
    """Refuse, with a French message, a deposit that cannot make a valid, reconciled file."""
    if not deposit.pieces:
        raise ValueError("Le dépôt ne contient aucune pièce.")
    ids = [piece.piece_id for piece in deposit.pieces]
    if len(set(ids)) != len(ids):
        raise ValueError("Deux pièces du bordereau ont le même identifiant.")
    debts = [str(piece.debt_number).lstrip("0") for piece in deposit.pieces]
    if len(set(debts)) != len(debts):
        raise ValueError("Deux pièces du bordereau ont le même numéro de dette.")
    if not deposit.bordereau_id.isdigit():
        raise ValueError("L'identifiant du bordereau doit être numérique.")
    for piece in deposit.pieces:
        if not piece.lines:
            raise ValueError(f"La pièce {piece.invoice_number} n'a aucune ligne.")
        if any(line.amount_cents <= 0 for line in piece.lines):
            raise ValueError(
                f"Pièce {piece.invoice_number} : chaque ligne doit avoir un montant positif."
            )
        if piece.debtor.civility not in ("", "M", "MME"):
            raise ValueError(f"Civilité « {piece.debtor.civility} » : M ou MME attendu.")
        if piece.direct_debit and piece.direct_debit.sequence not in choices.PES_SEQUENCE_CODES:
            raise ValueError(f"Séquence de prélèvement inconnue : {piece.direct_debit.sequence}.")


def build_pes_ormc(deposit: PesDeposit) -> bytes:
    """The PES_Aller XML (bytes, encoded as `dgfip_choices.PES_ENCODING`)."""
    check_deposit(deposit)
    root = ET.Element("n:PES_Aller", {"xmlns:n": choices.PES_NAMESPACE})
    envelope = _add(root, "Enveloppe")
    parameters = _add(envelope, "Parametres")
    _add(parameters, "Version", choices.PES_VERSION)
    _add(parameters, "TypFic", choices.PES_FILE_TYPE)
    _add(parameters, "NomFic", _raw(deposit.file_name, "NomFic"))
    sender = _add(envelope, "Emetteur")
    _add(sender, "Sigle", _text(deposit.sender_name, "Sigle"))
    _add(sender, "Adresse", _text(deposit.sender_address, "Adresse"))

    header = _add(root, "EnTetePES")
    _add(header, "DteStr", deposit.created_on.isoformat())
    _add(header, "IdPost", _raw(deposit.poste_comptable, "IdPost"))
    _add(header, "IdColl", _raw(deposit.collectivity_siret, "IdColl"))
    _add(header, "CodCol", _raw(deposit.collectivity_code, "CodCol"))
    _add(header, "CodBud", _raw(deposit.budget_code, "CodBud"))

    recette = _add(root, "PES_RecetteAller")
    recette_header = _add(recette, "EnTeteRecette")
    _add(recette_header, "IdVer", choices.PES_RECETTE_ID_VER)
    _add(recette_header, "InfoDematerialisee", choices.PES_INFO_DEMATERIALISEE)

    bordereau = _add(recette, "Bordereau")
    bloc = _add(bordereau, "BlocBordereau")
    _add(bloc, "Exer", str(deposit.exercise))
    _add(bloc, "IdBord", _raw(deposit.bordereau_id, "IdBord"))
    _add(bloc, "DteBordEm", deposit.issued_on.isoformat())
    _add(bloc, "TypBord", choices.PES_TYP_BORD)
    _add(bloc, "NbrPce", str(len(deposit.pieces)))
    _add(bloc, "MtBordHt", pes_amount(deposit.total_cents))
    _add(bloc, "DteAsp", (deposit.sent_on or deposit.issued_on).isoformat())
    _add(bloc, "Objet", _text(deposit.label, "Objet"))
    for piece in deposit.pieces:
        debt = debt_reference(
            exercise=deposit.exercise,
            month=piece.month or deposit.month,
            debt_number=piece.debt_number,
        )
        _add_piece(bordereau, deposit, piece, debt)

    ET.indent(root, space="  ")
    return ET.tostring(root, encoding=choices.PES_ENCODING, xml_declaration=True)


def _add_piece(
    bordereau: ET.Element, deposit: PesDeposit, piece: PesPiece, debt: DebtReference
) -> None:
    element = _add(bordereau, "Piece")
    bloc = _add(element, "BlocPiece")
    _add(bloc, "IdPce", _raw(str(piece.piece_id), "IdPce"))
    _add(bloc, "TypPce", choices.PES_TYP_PCE)
    _add(bloc, "NatPce", choices.PES_NAT_PCE)
    _add(bloc, "ObjPce", _text(piece.label, "ObjPce"))
    _add(bloc, "NumDette", debt.pes_num_dette)
    _add(bloc, "Per", debt.period)
    _add(
        bloc,
        "Cle1",
        pes_cle1(
            collectivity_code=deposit.collectivity_code,
            bordereau_id=deposit.bordereau_id,
            exercise=deposit.exercise,
            month=debt.month,
            debt_number=debt.debt_number,
        ),
    )
    _add(bloc, "Cle2", debt.cle2)
    _add(bloc, "NumeroFacture", _raw(piece.invoice_number, "NumeroFacture"))
    for index, line in enumerate(piece.lines, start=1):
        line_element = _add(element, "LigneDePiece")
        line_bloc = _add(line_element, "BlocLignePiece")
        info = _add(line_bloc, "InfoLignePiece")
        _add(info, "IdLigne", str(index))
        _add(info, "ObjLignePce", _text(line.label, "ObjLignePce"))
        _add(info, "CodProdLoc", _raw(line.product_code or deposit.product_code, "CodProdLoc"))
        _add(info, "Nature", line.nature or deposit.nature)
        _add(info, "Majo", choices.PES_MAJO)
        _add(info, "TvaIntraCom", choices.PES_TVA_INTRA_COM)
        _add(info, "MtHT", pes_amount(line.amount_cents))
        if piece.direct_debit is not None:
            _add_direct_debit(line_bloc, piece.direct_debit, line.amount_cents)
        _add_tiers(line_element, piece)


def _add_direct_debit(parent: ET.Element, debit: PesDirectDebit, amount_cents: int) -> None:
    info = _add(parent, "InfoPrelevementSEPA")
    _add(info, "NatPrel", choices.PES_NAT_PREL)
    _add(info, "PerPrel", choices.PES_PER_PREL)
    _add(info, "DtePrel", debit.debit_on.isoformat())
    _add(info, "MtPrel", pes_amount(amount_cents))
    _add(info, "SequencePres", choices.PES_SEQUENCE_CODES[debit.sequence])
    _add(info, "DateSignMandat", debit.mandate_signed_on.isoformat())
    _add(info, "RefUniMdt", _raw(debit.mandate_reference, "RefUniMdt"))
    _add(info, "LibPrel", _text(debit.label, "LibPrel"))


def _add_tiers(parent: ET.Element, piece: PesPiece) -> None:
    debtor = piece.debtor
    tiers = _add(parent, "Tiers")
    info = _add(tiers, "InfoTiers")
    if debtor.tiers_id:
        _add(info, "IdTiers", _raw(debtor.tiers_id, "IdTiers"))
    _add(info, "CatTiers", debtor.category)
    _add(info, "NatJur", debtor.legal_nature)
    _add(info, "TypTiers", choices.PES_TYP_TIERS)
    if debtor.civility:
        _add(info, "Civilite", debtor.civility)
    _add(info, "Nom", _text(debtor.last_name, "Nom"))
    if debtor.first_name:
        _add(info, "Prenom", _text(debtor.first_name, "Prenom"))
    address = _add(tiers, "Adresse")
    _add(address, "TypAdr", choices.PES_TYP_ADR)
    _add(address, "Adr2", _text(debtor.address_line, "Adr2"))
    _add(address, "CP", _raw(debtor.postcode, "CP"))
    _add(address, "Ville", _text(debtor.city, "Ville"))
    _add(address, "CodRes", choices.PES_COD_RES)
    if piece.direct_debit is not None:
        account = _add(tiers, "CpteBancaire")
        _add(account, "BIC", piece.direct_debit.bic.replace(" ", "").upper())
        _add(account, "IBAN", piece.direct_debit.iban.replace(" ", "").upper())
        _add(account, "TitCpte", _text(piece.direct_debit.account_holder, "TitCpte"))
