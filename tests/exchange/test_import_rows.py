"""The import layout's parsing and validation, as pure functions (no database)."""

import datetime
import io

from hypothesis import given, settings
from hypothesis import strategies as st

from tenant_apps.exchange.import_rows import (
    CODES,
    parse_rows,
    parse_upload,
    template_rows,
)
from tenant_apps.exchange.tables import csv_chunks, read_table, xlsx_write
from tests.exchange.support import layout, numbered, plans

TODAY = datetime.date(2026, 11, 24)
HEADER = list(CODES)


def _parse(rows, header=None):
    return parse_rows(header or HEADER, numbered(rows), today=TODAY)


def _with(row, **cells):
    changed = list(row)
    for code, value in cells.items():
        changed[CODES.index(code)] = value
    return changed


def test_the_template_is_valid_and_describes_a_shared_custody():
    result = _parse(template_rows())

    assert result.ok, result.errors
    assert list(result.plan.households) == ["F0001", "F0002"]
    assert list(result.plan.children) == ["E0001", "E0002"]
    shared = [(m.household_ref, m.custody) for m in result.plan.memberships
              if m.child_ref == "E0002"]
    assert shared == [("F0001", "even_weeks"), ("F0002", "odd_weeks")]


@given(plans())
def test_a_valid_plan_written_in_the_layout_reads_back_the_same(plan):
    result = _parse(layout(plan))

    assert result.ok, result.errors
    assert result.plan.content() == plan.content()


@settings(max_examples=40)
@given(plans(), st.sampled_from(["csv", "xlsx"]))
def test_a_valid_plan_survives_the_file_formats(plan, kind):
    """export -> file -> import: the same data, through CSV and XLSX alike."""
    if kind == "csv":
        content = b"".join(csv_chunks(HEADER, layout(plan)))
    else:
        buffer = io.BytesIO()
        xlsx_write(buffer, title="Familles", header=HEADER, rows=layout(plan))
        content = buffer.getvalue()

    result = parse_upload(name=f"familles.{kind}", content=content, today=TODAY)

    assert result.ok, (result.header_errors, result.errors)
    assert result.plan.content() == plan.content()


BAD_DATES = st.sampled_from(["31/02/2019", "2019-13-01", "12/2019", "demain", "00/01/2020",
                             "1/1/19"])


@given(plans().filter(lambda p: p.memberships), st.data(), BAD_DATES)
def test_a_bad_birth_date_is_reported_with_its_line(plan, data, bad):
    rows = layout(plan)
    child_rows = [i for i, row in enumerate(rows) if row[CODES.index("ref_enfant")]]
    index = data.draw(st.sampled_from(child_rows))
    rows[index] = _with(rows[index], enfant_naissance=bad)

    result = _parse(rows)

    assert not result.ok
    expected = f"ligne {index + 2} : date de naissance invalide « {bad} » (attendu JJ/MM/AAAA)"
    assert expected in [str(e) for e in result.errors]


def test_every_error_is_listed_not_only_the_first():
    first, second, third = template_rows()
    rows = [
        _with(first, enfant_naissance="31/02/2019"),
        _with(second, resp1_courriel="pas-un-courriel", regime="halal"),
        _with(third, pai="peut-être"),
    ]

    result = _parse(rows)

    messages = [str(e) for e in result.errors]
    assert "ligne 2 : date de naissance invalide « 31/02/2019 » (attendu JJ/MM/AAAA)" in messages
    assert "ligne 3 : courriel du responsable 1 invalide « pas-un-courriel »" in messages
    assert any(m.startswith("ligne 3 : régime alimentaire inconnu") for m in messages)
    assert "ligne 4 : PAI : répondre oui ou non « peut-être »" in messages


def test_missing_and_unknown_columns_are_named():
    header = [c for c in HEADER if c != "enfant_naissance"] + ["Numéro CAF"]

    result = _parse([], header=header)

    assert result.header_errors == [
        "Colonnes obligatoires manquantes : enfant_naissance.",
        "Colonnes inconnues : « Numéro CAF ». Utilisez les noms de colonnes du modèle "
        "d'import.",
    ]


def test_headers_are_matched_without_case_or_accents():
    header = [c.upper().replace("_", " ") for c in HEADER]
    header[CODES.index("ref_foyer")] = "Réf. foyer"

    assert _parse(template_rows(), header=header).ok


def test_a_household_described_differently_on_two_rows_is_refused():
    first, second, _ = template_rows()

    result = _parse([first, _with(second, nom_foyer="AUTRE NOM")])

    assert [str(e) for e in result.errors] == [
        "ligne 3 : le foyer « F0001 » est décrit autrement qu'à la ligne 2 : ses colonnes "
        "doivent être identiques sur chaque ligne"
    ]


def test_shared_custody_must_be_complementary():
    first, second, third = template_rows()

    result = _parse([first, second, _with(third, garde="semaines paires")])

    assert [e.line for e in result.errors] == [4]
    assert "garde alternée" in result.errors[0].message


def test_the_same_email_for_two_guardians_is_refused():
    first, second, third = template_rows()

    result = _parse([first, second, _with(third, resp1_courriel="camille.legall@example.fr")])

    assert [str(e) for e in result.errors] == [
        "ligne 4 : le courriel « camille.legall@example.fr » est déjà celui d'un autre "
        "responsable (ligne 2)"
    ]


def test_a_future_or_improbable_birth_date_is_refused():
    first, *_ = template_rows()

    future = _parse([_with(first, enfant_naissance="25/12/2026")])
    old = _parse([_with(first, enfant_naissance="01/01/1990")])

    assert [e.message for e in future.errors] == ["date de naissance dans le futur « 25/12/2026 »"]
    assert [e.message for e in old.errors] == [
        "date de naissance improbable pour un enfant « 01/01/1990 »"]


def test_a_phone_that_lost_its_leading_zero_in_a_spreadsheet_gets_it_back():
    first, *_ = template_rows()

    result = _parse([_with(first, resp1_portable="612345678")])

    guardian = result.plan.households["F0001"].guardians[0]
    assert guardian.fields["phone_mobile"] == "0612345678"


def test_a_guardian_needs_an_email_or_a_phone():
    first, *_ = template_rows()

    result = _parse([_with(first, resp1_courriel="", resp1_portable="", resp1_telephone="")])

    assert [e.message for e in result.errors] == [
        "responsable 1 : renseignez au moins un téléphone ou un courriel"]


def test_formulas_are_neutralised_on_the_way_out_and_read_back():
    first, *_ = template_rows()
    rows = [_with(first, resp1_nom="=HYPERLINK(\"http://x\")")]
    content = b"".join(csv_chunks(HEADER, rows))

    assert b"'=HYPERLINK" in content
    result = parse_upload(name="f.csv", content=content, today=TODAY)
    assert result.plan.households["F0001"].guardians[0].fields["last_name"].startswith("=HYP")


def test_a_windows_1252_csv_with_commas_is_read():
    first, *_ = template_rows()
    text = ",".join(HEADER) + "\r\n" + ",".join(first) + "\r\n"

    table = read_table(name="export.csv", content=text.encode("cp1252"))

    assert table.header == HEADER
    assert table.rows[0][1][CODES.index("adresse")] == "12 rue des Écoles"


def test_blank_rows_are_skipped_but_lines_keep_their_spreadsheet_number():
    first, *_ = template_rows()
    rows = [[""] * len(HEADER), _with(first, enfant_naissance="x")]

    result = _parse(rows)

    assert [e.line for e in result.errors] == [3]


def test_a_file_with_only_a_header_says_so():
    result = parse_upload(name="vide.csv", content=b"".join(csv_chunks(HEADER, [])),
                          today=TODAY)

    assert result.header_errors == ["Le fichier ne contient aucune ligne de données sous "
                                     "l'en-tête."]
