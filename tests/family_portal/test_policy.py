"""The policy rules, pure: defaults are sensible, a stored choice the field does not accept
is ignored, and a submission is always split so nothing outside the policy gets through."""

from hypothesis import given
from hypothesis import strategies as st

from tenant_apps.family_portal.policy import (
    BY_KEY,
    DEFAULT_POLICY,
    FIELDS,
    EditMode,
    category_fields,
    policy_merge,
    split_submission,
)

ENTITIES = ("household", "guardian", "child")


def test_default_policy_is_the_sensible_one():
    direct = {"household.address", "guardian.email", "guardian.phone_mobile",
              "child.contacts", "child.documents"}
    validated = {"guardian.last_name", "guardian.first_name", "child.birth_date", "child.diet",
                 "child.allergies", "child.has_pai", "child.doctor_name"}
    assert all(DEFAULT_POLICY[k] == EditMode.DIRECT for k in direct)
    assert all(DEFAULT_POLICY[k] == EditMode.VALIDATED for k in validated)
    assert DEFAULT_POLICY["household.quotient_familial"] == EditMode.READ_ONLY
    assert all(f.default in f.modes for f in FIELDS)


def test_the_quotient_familial_can_never_be_made_editable():
    merged = policy_merge({"household.quotient_familial": EditMode.DIRECT,
                           "child.contacts": EditMode.VALIDATED, "unknown.field": "direct",
                           "child.diet": "nonsense"})
    assert merged["household.quotient_familial"] == EditMode.READ_ONLY
    assert merged["child.contacts"] == EditMode.DIRECT
    assert merged["child.diet"] == DEFAULT_POLICY["child.diet"] and "unknown.field" not in merged


policies = st.fixed_dictionaries(
    {f.key: st.sampled_from(f.modes) for f in FIELDS}
)
names = st.sampled_from(sorted({f.name for f in FIELDS} | {"is_resident", "notes", "user"}))
values = st.one_of(st.none(), st.booleans(), st.integers(0, 5), st.sampled_from(["", "a", "b"]))


@given(entity=st.sampled_from(ENTITIES), policy=policies,
       submitted=st.dictionaries(names, values, max_size=8),
       current=st.dictionaries(names, values, max_size=8))
def test_split_is_a_partition_that_only_lets_editable_changes_through(
    entity, policy, submitted, current
):
    split = split_submission(entity=entity, submitted=submitted, current=current,
                             policy=policy)
    kept = set(split.direct) | set(split.validated)
    assert kept | split.ignored == set(submitted)
    assert not set(split.direct) & set(split.validated) and not kept & split.ignored
    for name in split.direct:
        assert policy[f"{entity}.{name}"] == EditMode.DIRECT
    for name in split.validated:
        assert policy[f"{entity}.{name}"] == EditMode.VALIDATED
    for name in kept:
        assert f"{entity}.{name}" in BY_KEY
        assert name not in current or current[name] != submitted[name]


@given(policy=policies, slug=st.sampled_from(["regime", "sante", "autorisations"]))
def test_a_card_only_changes_its_own_fields(policy, slug):
    own = {f.name for f in category_fields("child", slug)}
    submitted = {f.name: "x" for f in FIELDS if f.entity == "child"}
    split = split_submission(entity="child", submitted=submitted, current={}, policy=policy,
                             fields=own)
    assert set(split.direct) | set(split.validated) <= own
