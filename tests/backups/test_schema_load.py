"""The schema rename of pg_restore's SQL: statements and COPY headers, never COPY data."""

from backups.restore import side_schema_name
from backups.schema_load import rename_schema_lines


def renamed(text: str) -> str:
    lines = text.encode().splitlines(keepends=True)
    return b"".join(rename_schema_lines(lines, "c_alpha", "c_alpha__rs_1")).decode()


def test_statements_and_copy_headers_are_renamed_but_not_copy_data():
    sql = (
        "CREATE SCHEMA c_alpha;\n"
        "CREATE TABLE c_alpha.t (id bigint DEFAULT nextval('c_alpha.t_id_seq'::regclass));\n"
        'ALTER TABLE ONLY "c_alpha".t ADD CONSTRAINT c_alpha_pk PRIMARY KEY (id);\n'
        "COPY c_alpha.t (id, note) FROM stdin;\n"
        "1\tc_alpha.t is my note\n"
        "2\t\\\\.\n"
        "\\.\n"
        "SELECT pg_catalog.setval('c_alpha.t_id_seq', 2, true);\n"
        "CREATE TABLE c_alphabet.t ();\n"
    )
    assert renamed(sql) == (
        "CREATE SCHEMA c_alpha__rs_1;\n"
        "CREATE TABLE c_alpha__rs_1.t (id bigint DEFAULT "
        "nextval('c_alpha__rs_1.t_id_seq'::regclass));\n"
        'ALTER TABLE ONLY "c_alpha__rs_1".t ADD CONSTRAINT c_alpha_pk PRIMARY KEY (id);\n'
        "COPY c_alpha__rs_1.t (id, note) FROM stdin;\n"
        "1\tc_alpha.t is my note\n"
        "2\t\\\\.\n"
        "\\.\n"
        "SELECT pg_catalog.setval('c_alpha__rs_1.t_id_seq', 2, true);\n"
        "CREATE TABLE c_alphabet.t ();\n"
    )


def test_side_schema_names_fit_postgres_limit_and_never_look_like_a_commune():
    long_schema = "c_" + "a" * 40
    name = side_schema_name(long_schema, "__pre_restore_")
    assert len(name) <= 63 and "__" in name and name.startswith("c_aaaa")
