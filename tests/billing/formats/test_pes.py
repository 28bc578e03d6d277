"""PES V2 ORMC builder (finance.md §3): structure, keys shared with the Datamatrix, totals."""

import xml.etree.ElementTree as ET
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tenant_apps.billing.formats import dgfip_choices
from tenant_apps.billing.formats.datamatrix import DatamatrixInput, datamatrix_payload
from tenant_apps.billing.formats.pes import (
    PesDebtor,
    PesDeposit,
    PesDirectDebit,
    PesLine,
    PesPiece,
    build_pes_ormc,
    pes_amount,
    pes_cle1,
)

DEBTOR = PesDebtor(
    civility="MME",
    last_name="Le Guérec",
    first_name="Hélène",
    address_line="12 rue des Écoles – Bât. B",
    postcode="22300",
    city="Lannion",
)


def piece(number: int, *amounts: int, debit: PesDirectDebit | None = None) -> PesPiece:
    return PesPiece(
        piece_id=str(number),
        invoice_number=f"2025-{number:06d}",
        debt_number=2025_000_000 + number,
        label=f"Facture 2025-{number:06d} cantine et périscolaire mai 2025",
        debtor=DEBTOR,
        lines=tuple(PesLine(label="Repas enfant", amount_cents=a) for a in amounts),
        direct_debit=debit,
    )


def deposit(*pieces: PesPiece, month: int = 5) -> PesDeposit:
    return PesDeposit(
        file_name="PES_ORMC_2025_05.xml",
        sender_name="Cantine SaaS",
        sender_address="Mairie de Lannion",
        created_on=date(2025, 6, 3),
        poste_comptable="022013",
        collectivity_siret="21220113000014",
        collectivity_code="113",
        budget_code="01",
        exercise=2025,
        month=month,
        bordereau_id="46",
        issued_on=date(2025, 6, 3),
        label="Restauration scolaire et périscolaire – mai 2025",
        product_code="7067",
        pieces=pieces,
    )


def parse(xml: bytes) -> ET.Element:
    return ET.fromstring(xml)  # noqa: S314 - our own output


def values(root: ET.Element, path: str) -> list[str]:
    return [element.get("V", "") for element in root.iterfind(path)]


def test_structure_and_header_values() -> None:
    xml = build_pes_ormc(deposit(piece(1, 3100, 1450), piece(2, 2450)))
    root = parse(xml)

    assert xml.startswith(b"<?xml version='1.0' encoding='ISO-8859-1'?>")
    assert root.tag == "n:PES_Aller" or root.tag.endswith("PES_Aller")
    assert values(root, "Enveloppe/Parametres/TypFic") == ["PESORMC"]
    assert values(root, "EnTetePES/IdPost") == ["022013"]
    assert values(root, "PES_RecetteAller/EnTeteRecette/InfoDematerialisee") == ["0"]
    bloc = "PES_RecetteAller/Bordereau/BlocBordereau"
    assert values(root, f"{bloc}/NbrPce") == ["2"]
    assert values(root, f"{bloc}/MtBordHt") == ["70.00"]
    assert values(root, f"{bloc}/TypBord") == [dgfip_choices.PES_TYP_BORD]
    pieces = "PES_RecetteAller/Bordereau/Piece"
    assert values(root, f"{pieces}/BlocPiece/NumDette") == ["2025000001", "2025000002"]
    assert values(root, f"{pieces}/BlocPiece/Per") == ["5", "5"]
    assert values(root, f"{pieces}/LigneDePiece/BlocLignePiece/InfoLignePiece/MtHT") == [
        "31.00", "14.50", "24.50",
    ]
    assert values(root, f"{pieces}/LigneDePiece/Tiers/InfoTiers/Nom")[0] == "LE GUEREC"
    assert values(root, f"{pieces}/LigneDePiece/Tiers/InfoTiers/Prenom")[0] == "HELENE"
    assert values(root, f"{pieces}/LigneDePiece/Tiers/Adresse/Adr2")[0] == (
        "12 RUE DES ECOLES BAT. B"
    )
    assert values(root, f"{bloc}/Objet") == ["RESTAURATION SCOLAIRE ET PERISCOLAIRE MAI 2025"]


def test_cle1_worked_example() -> None:
    """Computed by hand: "123"‖"46"‖"25"‖"3"‖NumDette(13) = 123462530000000004215, digits
    weighted 2..7 from the right sum to 160; 160 mod 11 = 6; 11 − 6 = 5."""
    assert pes_cle1(collectivity_code="123", bordereau_id="46", exercise=2025, month=3,
                    debt_number="4215") == "5"
    # 11 − 0 = 11 and 11 − 1 = 10 are both written 1.
    assert pes_cle1(collectivity_code="123", bordereau_id="45", exercise=2025, month=3,
                    debt_number="4215") == "1"
    assert pes_cle1(collectivity_code="123", bordereau_id="47", exercise=2025, month=3,
                    debt_number="4215") == "1"


def test_direct_debit_piece_carries_sepa_block_and_bank_account() -> None:
    debit = PesDirectDebit(
        sequence="RCUR", debit_on=date(2025, 6, 15), mandate_reference="RUM-2025-0042",
        mandate_signed_on=date(2024, 9, 2), label="Cantine mai 2025",
        bic="CMBRFR2BXXX", iban="FR76 1558 9227 0000 0000 0000 042",
        account_holder="Hélène Le Guérec",
    )
    root = parse(build_pes_ormc(deposit(piece(7, 5000, debit=debit))))
    line = "PES_RecetteAller/Bordereau/Piece/LigneDePiece"

    assert values(root, f"{line}/BlocLignePiece/InfoPrelevementSEPA/SequencePres") == ["03"]
    assert values(root, f"{line}/BlocLignePiece/InfoPrelevementSEPA/MtPrel") == ["50.00"]
    assert values(root, f"{line}/Tiers/CpteBancaire/IBAN") == ["FR7615589227000000000000042"]
    assert values(root, f"{line}/Tiers/CpteBancaire/TitCpte") == ["HELENE LE GUEREC"]


def test_a_piece_may_carry_its_own_month() -> None:
    own = PesPiece(**{**piece(3, 700).__dict__, "month": 11})
    root = parse(build_pes_ormc(deposit(piece(1, 100), own, month=5)))
    payload = datamatrix_payload(DatamatrixInput(
        establishment_code="042", product_code="7067", exercise=2025, month=11,
        debt_number=own.debt_number, poste_comptable="022013", amount_cents=700,
    ))

    assert values(root, "PES_RecetteAller/Bordereau/Piece/BlocPiece/Per") == ["5", "1"]
    cle2 = values(root, "PES_RecetteAller/Bordereau/Piece/BlocPiece/Cle2")[1]
    assert "ABCDEFGHJKLMNPQRSTUVWXY".index(cle2) + 1 == int(payload[91:93])


@pytest.mark.parametrize(
    ("pieces", "message"),
    [
        ((), "aucune pièce"),
        ((piece(1, 100), piece(1, 200)), "même identifiant"),
        ((piece(1, 0),), "montant positif"),
        ((piece(1, -50),), "montant positif"),
    ],
)
def test_invalid_deposits_are_refused_in_french(pieces: tuple[PesPiece, ...], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        build_pes_ormc(deposit(*pieces))


def test_same_debt_number_twice_is_refused() -> None:
    twin = PesPiece(piece_id="2", invoice_number="X", debt_number=2025_000_001, label="x",
                    debtor=DEBTOR, lines=(PesLine(label="x", amount_cents=1),))
    with pytest.raises(ValueError, match="numéro de dette"):
        build_pes_ormc(deposit(piece(1, 100), twin))


def test_too_long_identifier_is_refused_not_truncated() -> None:
    bad = deposit(piece(1, 100))
    bad = PesDeposit(**{**bad.__dict__, "bordereau_id": "12345678"})
    with pytest.raises(ValueError, match="dépasse 7"):
        build_pes_ormc(bad)


amounts = st.lists(st.integers(1, 5_000_000), min_size=1, max_size=4)


@given(st.lists(amounts, min_size=1, max_size=25), st.integers(1, 12))
def test_amounts_reconcile_and_keys_match_the_datamatrix(
    piece_amounts: list[list[int]], month: int
) -> None:
    pieces = tuple(piece(index + 1, *a) for index, a in enumerate(piece_amounts))
    root = parse(build_pes_ormc(deposit(*pieces, month=month)))
    bordereau = root.find("PES_RecetteAller/Bordereau")
    assert bordereau is not None

    total = bordereau.find("BlocBordereau/MtBordHt")
    assert total is not None
    expected_total = sum(sum(a) for a in piece_amounts)
    assert total.get("V") == pes_amount(expected_total)
    piece_totals = []
    for element, source in zip(bordereau.iterfind("Piece"), pieces, strict=True):
        line_cents = [
            int(v.replace(".", "")) for v in values(element, "LigneDePiece/BlocLignePiece/"
                                                            "InfoLignePiece/MtHT")
        ]
        piece_totals.append(sum(line_cents))
        # The Datamatrix of the same invoice carries the same NumDette, Per and debt key.
        payload = datamatrix_payload(DatamatrixInput(
            establishment_code="042", product_code="7067", exercise=2025, month=month,
            debt_number=source.debt_number, poste_comptable="022013",
            amount_cents=source.amount_cents,
        ))
        num_dette = values(element, "BlocPiece/NumDette")[0]
        cle2 = values(element, "BlocPiece/Cle2")[0]
        assert int(payload[93:108]) == int(num_dette)
        assert "ABCDEFGHJKLMNPQRSTUVWXY".index(cle2) + 1 == int(payload[91:93])
        assert values(element, "BlocPiece/Per")[0] == payload[67]
    assert sum(piece_totals) == expected_total
    assert piece_totals == [sum(a) for a in piece_amounts]


@given(st.integers(0, 10**10))
def test_pes_amount_is_euros_with_a_point(cents: int) -> None:
    text = pes_amount(cents)

    assert int(text.replace(".", "")) == cents
    assert text[-3] == "."
