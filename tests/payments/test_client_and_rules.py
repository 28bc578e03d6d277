"""The SOAP client's XML against the spec's field list (§2.3, §2.5, §2.6), and the pure
rules (amount format, labels, references, verdicts), with hypothesis properties."""

import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tenant_apps.payments import payfip_client, rules
from tenant_apps.payments.payfip_client import (
    SERVICE_NS,
    PayfipFault,
    PayfipUnavailable,
    PaymentRequest,
    envelope,
    parse_answer,
)

REQUEST = PaymentRequest(
    numcli="123456", exer="2026", refdet="F2026000042A17", objet="Cantine périscolaire d'été",
    montant_cents=2310, mel="parent@example.test",
    urlnotif="http://alpha.localhost:8000/paiement/notification/",
    urlredirect="http://alpha.localhost:8000/paiement/retour/", saisie="T")


def test_create_request_has_exactly_the_spec_fields_inside_arg0():
    root = ET.fromstring(envelope("creerPaiementSecurise", REQUEST.fields()))  # noqa: S314
    call = root.find(f".//{{{SERVICE_NS}}}creerPaiementSecurise")
    assert call is not None
    arg0 = call.find("arg0")
    values = {child.tag: child.text for child in arg0}
    assert set(values) == {"numcli", "exer", "refdet", "objet", "montant", "mel", "urlnotif",
                           "urlredirect", "saisie"}
    assert values["montant"] == "2310" and values["saisie"] == "T"
    assert values["objet"] == "Cantine periscolaire d ete"


@pytest.mark.parametrize("change, message", [
    ({"numcli": "12345"}, "numcli"), ({"exer": "26"}, "exer"),
    ({"refdet": "F-2026"}, "refdet"), ({"mel": "x@y"}, "mel"), ({"saisie": "A"}, "saisie"),
    ({"urlnotif": "/paiement/notification/"}, "absolute"), ({"montant_cents": 99}, "amount"),
])
def test_invalid_requests_are_refused_before_sending(change, message):
    values = {**REQUEST.__dict__, **change}
    with pytest.raises(ValueError, match=message):
        PaymentRequest(**values).fields()


@given(st.integers(min_value=rules.MIN_CENTS, max_value=rules.MAX_CENTS))
def test_amount_is_integer_cents_with_at_least_three_digits(cents):
    text = rules.amount_format(cents)
    assert text.isdigit() and len(text) >= 3 and int(text) == cents
    assert rules.amount_parse(text) == cents


@given(st.one_of(st.integers(max_value=rules.MIN_CENTS - 1),
                 st.integers(min_value=rules.MAX_CENTS + 1)))
def test_amount_outside_bounds_is_refused(cents):
    with pytest.raises(ValueError):
        rules.amount_format(cents)


@given(st.text(max_size=300))
def test_label_keeps_only_safe_characters(text):
    cleaned = rules.label_clean(text)
    assert len(cleaned) <= 100 and all(c.isascii() and (c.isalnum() or c == " ")
                                       for c in cleaned)
    assert "  " not in cleaned and cleaned == cleaned.strip()


@given(st.text(max_size=40), st.integers(min_value=1, max_value=10**12))
def test_refdet_is_always_valid_and_distinct_per_attempt(prefix, attempt):
    ref = rules.refdet_for(prefix, attempt)
    assert rules.REFDET_RE.match(ref)
    assert ref != rules.refdet_for(prefix, attempt + 1) or len(prefix) > 30


def test_answers_and_faults_are_parsed():
    ok = (b'<?xml version="1.0"?><S:Envelope xmlns:S="http://schemas.xmlsoap.org/soap/envelope/">'
          b'<S:Body><ns2:recupererDetailPaiementSecuriseResponse xmlns:ns2="' +
          SERVICE_NS.encode() + b'"><return><resultrans>P</resultrans><montant>2310</montant>'
          b'<idOp>abc</idOp></return></ns2:recupererDetailPaiementSecuriseResponse>'
          b'</S:Body></S:Envelope>')
    answer = parse_answer(ok, "recupererDetailPaiementSecurise")
    assert answer == {"resultrans": "P", "montant": "2310", "idOp": "abc"}
    fault = (b'<S:Envelope xmlns:S="http://schemas.xmlsoap.org/soap/envelope/"><S:Body>'
             b'<S:Fault><faultcode>S:Server</faultcode><faultstring>x</faultstring><detail>'
             b'<ns2:FonctionnelleErreur xmlns:ns2="urn:r"><code>P5</code><libelle>pas encore'
             b'</libelle></ns2:FonctionnelleErreur></detail></S:Fault></S:Body></S:Envelope>')
    with pytest.raises(PayfipFault) as caught:
        parse_answer(fault, "recupererDetailPaiementSecurise")
    assert caught.value.code == "P5" and caught.value.kind == "FonctionnelleErreur"
    for broken in (b"<not xml", b"<a/>", b'<!DOCTYPE x [<!ENTITY e "x">]><a>&e;</a>'):
        with pytest.raises(PayfipUnavailable):
            parse_answer(broken, "recupererDetailPaiementSecurise")


def test_unreachable_provider_is_technical(settings):
    settings.PAYFIP_WS_URL = "http://127.0.0.1:9/tpa/services/securite"
    settings.PAYFIP_TIMEOUT_S = 1
    with pytest.raises(PayfipUnavailable):
        payfip_client.payment_detail("abc")
    settings.PAYFIP_WS_URL = "file:///etc/passwd"
    with pytest.raises(PayfipUnavailable):
        payfip_client.payment_detail("abc")


@given(st.sampled_from(["P", "V", "A", "R", "Z", "", "Q", "p"]))
def test_result_codes_map_as_the_spec_says(code):
    verdict = rules.verdict_for_result(code)
    expected = {"P": "paid", "V": "paid", "A": "abandoned", "R": "refused", "Z": "refused",
                "p": "paid"}.get(code, "anomaly")
    assert verdict.status == expected and verdict.final


@given(st.sampled_from(["P5", "P1", "T1", ""]),
       st.integers(min_value=0, max_value=3 * 24 * 3600))
def test_faults_keep_young_attempts_pending_and_expire_old_or_unknown_ones(code, seconds):
    age = timedelta(seconds=seconds)
    verdict = rules.verdict_for_fault(code, age=age)
    if code == "P1" or (code == "P5" and age >= rules.ATTEMPT_LIFETIME):
        assert verdict.status == "expired" and verdict.final
    else:
        assert verdict.status == "pending" and not verdict.final


@given(st.integers(min_value=0, max_value=40 * 60))
def test_a_second_attempt_waits_twenty_minutes(seconds):
    now = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
    blocked = rules.attempt_blocked(last_started_at=now - timedelta(seconds=seconds), now=now)
    assert blocked == (seconds < 20 * 60)
    assert not rules.attempt_blocked(last_started_at=None, now=now)


def test_mismatch_reasons_name_each_difference():
    expected = {"numcli": "123456", "refdet": "R1", "saisie": "T", "exer": "2026",
                "montant": "2310"}
    assert rules.mismatch_reasons(expected=expected, answered={**expected,
                                                                "montant": "02310"}) == []
    reasons = rules.mismatch_reasons(expected=expected,
                                     answered={**expected, "montant": "999", "saisie": "W"})
    assert len(reasons) == 2 and any("Montant" in r for r in reasons)


@given(st.integers(min_value=-10**9, max_value=10**9))
def test_euros_is_french(cents):
    text = rules.euros(cents)
    assert text.endswith(" €") and "," in text and "." not in text


@given(trigger=st.sampled_from(["notification", "retour", "rapprochement", "agent"]),
       seconds=st.integers(min_value=0, max_value=120), never=st.booleans())
def test_only_unsolicited_lookups_wait_for_their_window(trigger, seconds, never):
    now = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
    checked_at = None if never else now - timedelta(seconds=seconds)
    allowed = rules.lookup_allowed(trigger=trigger, checked_at=checked_at, now=now)
    if trigger in ("rapprochement", "agent") or never:
        assert allowed
    else:
        assert allowed == (timedelta(seconds=seconds) >= rules.UNSOLICITED_LOOKUP_WINDOW)
