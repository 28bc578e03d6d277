"""Checking answers: pure function, French messages."""

from tenant_apps.questionnaires.answers import QuestionSpec, answer_display, answers_clean

SPECS = [
    QuestionSpec(id=1, kind="yes_no", label="Reprise le 11 mai ?", required=True),
    QuestionSpec(id=2, kind="single", label="Horaire", required=True,
                 choices=("Matin", "Soir")),
    QuestionSpec(id=3, kind="multiple", label="Jours", required=False,
                 choices=("Lundi", "Mardi", "Jeudi")),
    QuestionSpec(id=4, kind="date", label="Date de retour", required=False),
    QuestionSpec(id=5, kind="text", label="Remarques", required=False),
]


def test_valid_answers_are_normalised():
    answers, errors = answers_clean(SPECS, {
        "1": ["oui"], "2": ["Soir"], "3": ["Jeudi", "Lundi", "Jeudi"], "4": ["11/05/2020"],
        "5": ["  Allergie aux arachides  "], "99": ["ignoré"],
    })
    assert errors == {}
    assert answers == {"1": True, "2": "Soir", "3": ["Lundi", "Jeudi"], "4": "2020-05-11",
                       "5": "Allergie aux arachides"}


def test_optional_questions_may_stay_empty():
    answers, errors = answers_clean(SPECS, {"1": ["non"], "2": ["Matin"], "4": [""]})
    assert (answers, errors) == ({"1": False, "2": "Matin"}, {})


def test_errors_in_french():
    answers, errors = answers_clean(SPECS, {
        "1": [], "2": ["Nuit"], "3": ["Dimanche"], "4": ["2020-02-31"], "5": ["x" * 2001],
    })
    assert errors == {
        "1": "Cette question est obligatoire.",
        "2": "Choix inconnu : « Nuit ».",
        "3": "Choix inconnu : « Dimanche ».",
        "4": "Date invalide : indiquez-la au format JJ/MM/AAAA.",
        "5": "Réponse trop longue : 2000 caractères au plus.",
    }
    assert answers == {}


def test_yes_no_and_single_refuse_odd_values():
    _, errors = answers_clean(SPECS, {"1": ["peut-être"], "2": ["Matin", "Soir"]})
    assert errors == {"1": "Répondez par oui ou par non.", "2": "Une seule réponse est possible."}


def test_display():
    assert answer_display("yes_no", True) == "Oui"
    assert answer_display("yes_no", False) == "Non"
    assert answer_display("multiple", ["Lundi", "Jeudi"]) == "Lundi, Jeudi"
    assert answer_display("date", "2020-05-11") == "11/05/2020"
    assert answer_display("text", None) == ""
