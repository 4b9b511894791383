"""The English side of the UI: the catalogue covers the templates, and the switch shows it.

Chinese is the source language of the templates; ``planwatch/locale/en`` carries the English.
The catalogue checks read the committed ``.po`` and ``.mo`` with the standard library, so no
GNU gettext is needed when the tests run.
"""
import ast
import datetime as dt
import gettext as stdlib_gettext
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

import planwatch
from planwatch.data.calendar import OwedItem, ReporterStatus
from planwatch.data.models import Document, ReportingDeadline, Source, Status
from planwatch.plans.models import Indicator
from planwatch.web import model_labels

PACKAGE = Path(planwatch.__file__).parent
LOCALE = PACKAGE / "locale" / "en" / "LC_MESSAGES"
TEMPLATES = PACKAGE / "web" / "templates"
DASH = "/plans/dongcheng-2021/"
# The templates a dashboard page is made of; their literal strings must all turn English.
DASHBOARD_TEMPLATES = ["web/base.html", "web/dashboard.html", "web/_board.html", "web/_bar.html"]
HAN = re.compile(r"[\u4e00-\u9fff]")


def po_entries(path: Path) -> dict[str, list[str]]:
    """msgid -> msgstr(s) of a .po file, fuzzy and obsolete entries included (so tests see them)."""
    entries: dict[str, list[str]] = {}
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        fields: dict[str, str] = {}
        key = None
        for line in block.splitlines():
            if line.startswith("#"):
                if line.startswith("#, ") and "fuzzy" in line:
                    fields["fuzzy"] = "1"
                continue
            if line.startswith('"') and key:
                fields[key] += ast.literal_eval(line)
                continue
            key, _, rest = line.partition(" ")
            fields[key] = ast.literal_eval(rest)
        if "msgid" in fields and fields["msgid"]:
            assert "fuzzy" not in fields, f"fuzzy translation in {path.name}: {fields['msgid']!r}"
            strs = [v for k, v in sorted(fields.items()) if k.startswith("msgstr")]
            entries[fields["msgid"]] = strs
    return entries


def template_literals(names=None) -> dict[str, set[str]]:
    """Literal strings the templates translate: ``{% translate "…" %}`` and ``_("…")``."""
    found: dict[str, set[str]] = {}
    files = [TEMPLATES / n for n in names] if names else sorted(TEMPLATES.rglob("*.html"))
    for path in files:
        text = path.read_text(encoding="utf-8")
        for m in re.finditer(r"""{%\s*(?:translate|trans)\s+(["'])(.+?)\1""", text):
            found.setdefault(m.group(2), set()).add(path.name)
        for m in re.finditer(r"""_\((["'])(.+?)\1\)""", text):
            found.setdefault(m.group(2), set()).add(path.name)
    return found


def python_literals() -> dict[str, set[str]]:
    """Strings the web code marks with ``_``/``gettext``/``gettext_lazy``/``gettext_noop``."""
    found: dict[str, set[str]] = {}
    names = {"_", "gettext", "gettext_lazy", "gettext_noop", "pgettext"}
    for path in sorted((PACKAGE / "web").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in names
                    and node.args and isinstance(node.args[-1], ast.Constant) and isinstance(node.args[-1].value, str)):
                found.setdefault(node.args[-1].value, set()).add(path.name)
    return found


@pytest.fixture(scope="module")
def catalogue() -> dict[str, str]:
    with open(LOCALE / "django.mo", "rb") as fh:
        compiled = stdlib_gettext.GNUTranslations(fh)
    return {k if isinstance(k, str) else k[0]: v for k, v in compiled._catalog.items() if k}


def text_tokens(html: str) -> list[str]:
    """The words a reader sees: text between tags (scripts and title dropped), split on white space
    and trailing colons, so a label is one word and a sentence of data is not mistaken for one."""
    html = re.sub(r"<script\b.*?</script>", " ", html, flags=re.S)
    html = re.sub(r"<title>.*?</title>", " ", html, flags=re.S)
    words = re.sub(r"<[^>]+>", " ", html).replace("·", " ").split()
    return [w.strip(":：") for w in words]


# -- the catalogue ----------------------------------------------------------------------------

def test_every_entry_of_the_po_has_an_english_translation():
    entries = po_entries(LOCALE / "django.po")
    assert len(entries) > 50
    untranslated = [m for m, strs in entries.items() if not all(s.strip() for s in strs)]
    assert untranslated == []
    still_chinese = [m for m, strs in entries.items() if any(HAN.search(s) for s in strs)]
    assert still_chinese == []


def test_the_committed_mo_is_compiled_from_the_po(catalogue):
    entries = po_entries(LOCALE / "django.po")
    singular = {m: strs[0] for m, strs in entries.items() if len(strs) == 1}
    assert {m: catalogue.get(m) for m in singular} == singular
    assert set(catalogue) == set(entries)


def test_every_template_string_is_in_the_catalogue(catalogue):
    literals = template_literals()
    assert "报告期" in literals and len(literals) > 50
    missing = {m: sorted(files) for m, files in literals.items() if not catalogue.get(m)}
    assert missing == {}, "run makemessages -l en, translate, compilemessages"


def test_every_string_the_web_code_marks_is_in_the_catalogue(catalogue):
    literals = python_literals()
    assert "其他" in literals and "已驳回" in literals
    missing = {m: sorted(files) for m, files in literals.items() if not catalogue.get(m)}
    assert missing == {}


def test_model_labels_the_pages_show_are_listed_and_translated():
    labels = [label for _, label in Status.choices + Source.choices + Indicator.Kind.choices]
    labels += [Indicator(binding=True).binding_label, Indicator(binding=False).binding_label]
    labels += [OwedItem("value", "x", None).status_label]
    deadline = ReportingDeadline(due=dt.date(2021, 7, 15))
    labels += [ReporterStatus(deadline, 1, [OwedItem("value", "x", None)], today=today).state_label
               for today in (dt.date(2021, 7, 1), dt.date(2021, 8, 1))] + [ReporterStatus(deadline, 0).state_label]
    listed = set(model_labels.STATUS + model_labels.SOURCE + model_labels.INDICATOR_KIND + model_labels.BINDING
                 + model_labels.OWED)
    assert [label for label in labels if label not in listed] == []
    with translation.override("en"):
        english = {label: translation.gettext(label) for label in labels}
    assert [label for label, en in english.items() if en == label or HAN.search(en)] == []
    assert english[Status.APPROVED.label] == "Approved"


# -- the pages ----------------------------------------------------------------------------------

def choose(client, language: str):
    response = client.post("/i18n/setlang/", {"language": language, "next": DASH})
    assert response.status_code == 302
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == language


@pytest.mark.django_db
def test_english_dashboard_shows_english_headings_and_no_template_chinese(planner):
    choose(planner, "en")
    html = planner.get(DASH, {"period": "2021H1"}).content.decode()
    assert 'lang="en"' in html
    for heading in ["Plan execution monitoring", "Period", "Org unit", "Time progress", "Download report",
                    "Responsible department", "Due by", "Document review", "Red", "Yellow", "Green", "Missing"]:
        assert heading in html, heading
    literals = template_literals(DASHBOARD_TEMPLATES)
    assert {"报告期", "时间进度", "缺数", "责任部门", "约束性"} <= set(literals)
    left = sorted(set(text_tokens(html)) & set(literals))
    assert left == []


@pytest.mark.django_db
def test_default_dashboard_is_chinese(planner):
    html = planner.get(DASH, {"period": "2021H1"}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'lang="zh-hans"' in html
    tokens = set(text_tokens(html))
    assert {"报告期", "单位", "时间进度", "下载报告", "责任部门", "红", "缺数"} <= tokens
    assert "Time progress" not in html and "Download report" not in html


@pytest.mark.django_db
def test_switching_back_to_chinese(planner):
    choose(planner, "en")
    assert "Time progress" in planner.get(DASH, {"period": "2021H1"}).content.decode()
    choose(planner, "zh-hans")
    html = planner.get(DASH, {"period": "2021H1"}).content.decode()
    assert "时间进度" in set(text_tokens(html)) and "Time progress" not in html


@pytest.mark.django_db
def test_english_indicator_page_translates_model_labels(planner):
    choose(planner, "en")
    html = planner.get(DASH + "indicators/revenue/", {"period": "2021H1"}).content.decode()
    ind = Indicator.objects.get(code="revenue")
    with translation.override("en"):
        expected = f"{translation.gettext(ind.binding_label)} · {translation.gettext(ind.get_kind_display())}"
    assert expected in html and "Annual target" in html and "Figures by period" in html
    assert ind.binding_label not in text_tokens(html)


PAGES = ["/", DASH + "?period=2021H1", DASH + "indicators/revenue/?period=2021H1", DASH + "entry/?period=2021H1",
         DASH + "entry/?period=2021H1&org=110101003", DASH + "owed/?period=2021H1", "/documents/"]


@pytest.mark.django_db
def test_no_page_shows_a_template_or_web_code_string_in_english(planner):
    """Every label the templates and web code translate is English on every page, and Chinese
    on the same pages by default (so the check can see them)."""
    marked = set(template_literals()) | set(python_literals())
    pages = PAGES + [f"/documents/{d.pk}/" for d in Document.objects.order_by("pk")[:1]]
    chinese = {url: set(text_tokens(planner.get(url).content.decode())) & marked for url in pages}
    assert all(chinese.values()), chinese
    choose(planner, "en")
    english = {url: sorted(set(text_tokens(planner.get(url).content.decode())) & marked) for url in pages}
    assert english == {url: [] for url in pages}


@pytest.mark.django_db
def test_login_page_in_english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get("/accounts/login/").content.decode()
    assert "User name" in html and "Password" in html and "Log in" in html
    assert set(text_tokens(html)) & set(template_literals(["registration/login.html"])) == set()
