"""Static checks of the deployment in ansible/: no Ansible needed, no host touched.

Every YAML file parses; every role a playbook names exists; every variable a template
uses is declared (group_vars/all.example.yml, the role's defaults or the inventory);
secrets are only referenced from the vault.
"""

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

ANSIBLE = Path(__file__).resolve().parents[2] / "ansible"
ROLES = ANSIBLE / "roles"
PLAYBOOKS = ("site.yml", "restore-db.yml")

# Names Ansible provides (magic variables, loop variables of the templates).
MAGIC = {"item", "inventory_hostname", "groups", "hostvars", "group_names", "playbook_dir", "omit"}
# Role defaults that are facts of Debian's packaging, not settings.
INTERNAL_DEFAULTS = {"postgresql_unit", "postgresql_conf_dir", "postgresql_data_dir"}
SECRET_NAME = re.compile(r"password$|secret|cipher_pass|encryption_keys|_pem$")


def _load(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _yaml_files() -> list[Path]:
    return sorted(p for p in ANSIBLE.rglob("*") if p.suffix in {".yml", ".yaml"})


def _all_vars() -> dict[str, Any]:
    return _load(ANSIBLE / "group_vars" / "all.example.yml")


def _role_defaults(role: Path) -> dict[str, Any]:
    path = role / "defaults" / "main.yml"
    return (_load(path) or {}) if path.exists() else {}


def _inventory_host_vars() -> set[str]:
    names: set[str] = set()

    def walk(group: dict[str, Any]) -> None:
        for host_vars in (group.get("hosts") or {}).values():
            names.update(host_vars or {})
        names.update(group.get("vars") or {})
        for child in (group.get("children") or {}).values():
            walk(child or {})

    walk(_load(ANSIBLE / "inventory.example.yml")["all"])
    return names


def _roles_named_in_playbooks() -> set[str]:
    names: set[str] = set()
    for playbook in PLAYBOOKS:
        for play in _load(ANSIBLE / playbook):
            for role in play.get("roles", []):
                names.add(role if isinstance(role, str) else role["role"])
            for task in play.get("tasks", []) + play.get("pre_tasks", []):
                for key in ("ansible.builtin.include_role", "ansible.builtin.import_role"):
                    if key in task:
                        names.add(task[key]["name"])
    return names


def _template_variables(source: str) -> set[str]:
    jinja2 = pytest.importorskip("jinja2")
    from jinja2 import meta, nodes

    env = jinja2.Environment(extensions=["jinja2.ext.do", "jinja2.ext.loopcontrols"])
    ast = env.parse(source)
    # Ansible's own filters and tests are unknown to plain Jinja: stub them for the analysis.
    for node in ast.find_all(nodes.Filter):
        env.filters.setdefault(node.name, lambda value, *a, **k: value)
    for node in ast.find_all(nodes.Test):
        env.tests.setdefault(node.name, lambda value, *a, **k: True)
    return meta.find_undeclared_variables(ast)


@pytest.mark.parametrize("path", _yaml_files(), ids=lambda p: str(p.relative_to(ANSIBLE)))
def test_yaml_parses(path: Path) -> None:
    assert _load(path) is not None


def test_playbooks_name_existing_roles() -> None:
    names = _roles_named_in_playbooks()
    assert {"common", "postgresql", "redis", "app", "nginx"} <= names
    for name in names:
        assert (ROLES / name / "tasks" / "main.yml").is_file(), name


def test_task_files_reference_existing_templates_and_includes() -> None:
    for role in sorted(p for p in ROLES.iterdir() if p.is_dir()):
        for tasks_file in (role / "tasks").glob("*.yml"):
            text = tasks_file.read_text(encoding="utf-8")
            for src in re.findall(r"^\s+src: ([\w.@-]+\.j2)\s*$", text, re.MULTILINE):
                assert (role / "templates" / src).is_file(), f"{tasks_file}: {src}"
            for inc in re.findall(r"include_tasks: ([\w.-]+\.yml)\s*$", text, re.MULTILINE):
                assert (role / "tasks" / inc).is_file(), f"{tasks_file}: {inc}"
    app_source = _all_vars()["app_source"]
    assert (ROLES / "app" / "tasks" / f"source_{app_source}.yml").is_file()
    assert (ROLES / "app" / "tasks" / "source_git.yml").is_file()


def test_template_variables_are_declared() -> None:
    declared = set(_all_vars()) | _inventory_host_vars() | MAGIC
    templates = sorted(ROLES.glob("*/templates/*.j2"))
    assert templates
    missing = {}
    for template in templates:
        role = template.parents[1]
        known = declared | set(_role_defaults(role))
        unknown = _template_variables(template.read_text(encoding="utf-8")) - known
        if unknown:
            missing[str(template.relative_to(ANSIBLE))] = sorted(unknown)
    assert not missing, missing


def test_every_role_default_is_listed_in_the_example_vars() -> None:
    listed = set(_all_vars())
    for role in sorted(p for p in ROLES.iterdir() if p.is_dir()):
        extra = set(_role_defaults(role)) - listed - INTERNAL_DEFAULTS
        assert not extra, f"{role.name}: {sorted(extra)} missing from group_vars/all.example.yml"


def test_secrets_come_from_the_vault() -> None:
    for name, value in _all_vars().items():
        if SECRET_NAME.search(name):
            assert isinstance(value, str) and "vault_" in value, name
    for name, value in _load(ANSIBLE / "vault.example.yml").items():
        assert name.startswith("vault_")
        assert value in ("CHANGE_ME", ""), f"{name} must stay a placeholder"


def test_env_file_covers_every_setting_of_env_example() -> None:
    example = (ANSIBLE.parent / ".env.example").read_text(encoding="utf-8")
    expected = set(re.findall(r"^([A-Z][A-Z0-9_]+)=", example, re.MULTILINE))
    template = (ROLES / "app" / "templates" / "env.j2").read_text(encoding="utf-8")
    written = set(re.findall(r"^([A-Z][A-Z0-9_]+)=", template, re.MULTILINE))
    assert expected <= written, sorted(expected - written)


def test_environment_file_is_private() -> None:
    tasks = _load(ROLES / "app" / "tasks" / "main.yml")
    env_task = next(
        t for t in tasks if t.get("ansible.builtin.template", {}).get("src") == "env.j2"
    )
    assert env_task["ansible.builtin.template"]["mode"] == "0600"
    assert env_task.get("no_log") is True
