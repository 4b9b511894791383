"""Shapes of the API's bodies: what a client sends and what it gets back.

Input types are bounded on purpose: ids fit a 64-bit column, numbers are finite, text carries no
NUL character (PostgreSQL refuses one), so bad input is a 422 that says which field, never a 500.
"""

from datetime import date, datetime
from typing import Annotated, Literal, Optional

from ninja import Schema
from pydantic import Field, StringConstraints

MAX_ID = 2**53
Number = Annotated[float, Field(allow_inf_nan=False, ge=-1e15, le=1e15)]
Text = Annotated[str, StringConstraints(max_length=2000, pattern=r"^[^\x00]*$")]
Code = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[^\x00]+$")]
PeriodCode = Annotated[str, StringConstraints(min_length=4, max_length=16, pattern=r"^[0-9]{4}([HQ][1-4]|-[0-9]{2})?$")]
Version = Annotated[int, Field(ge=0, le=2**31)]


class Problem(Schema):
    detail: str


class OrgUnitOut(Schema):
    id: int
    code: str
    name: str
    name_en: str
    level: str
    parent_code: Optional[str] = Field(None, alias="parent.code")


class PlanOut(Schema):
    id: int
    code: str
    name: str
    year: int
    org_unit: str = Field(..., alias="org_unit.code")
    org_unit_name: str = Field(..., alias="org_unit.name")
    description: str
    thresholds: dict


class IndicatorOut(Schema):
    id: int
    code: str
    name: str
    name_en: str
    aliases: list
    unit: str
    kind: str
    direction: str
    binding: bool
    aggregation: str
    decimals: Optional[int]


class PlanIndicatorOut(Schema):
    indicator: IndicatorOut
    area: Optional[str] = Field(None, alias="area.name")
    order: int
    headline: bool
    rule: str
    departments: list[str]

    @staticmethod
    def resolve_departments(obj):
        return [d.name for d in obj.departments.all()]


class TargetOut(Schema):
    id: int
    plan: str = Field(..., alias="plan.code")
    indicator: str = Field(..., alias="indicator.code")
    org_unit: str = Field(..., alias="org_unit.code")
    value: Optional[float]
    growth_pct: Optional[float]
    note: str
    version: int


class TaskOut(Schema):
    id: int
    plan: str = Field(..., alias="plan.code")
    code: str
    title: str
    text: str
    area: Optional[str] = Field(None, alias="area.name")
    org_unit: str = Field(..., alias="org_unit.code")
    target_quantity: Optional[float]
    unit: str
    deadline: Optional[date]
    deadline_text: str
    departments: list[str]
    version: int

    @staticmethod
    def resolve_departments(obj):
        return [d.name for d in obj.departments.all()]


class ValueOut(Schema):
    id: int
    indicator: str = Field(..., alias="indicator.code")
    org_unit: str = Field(..., alias="org_unit.code")
    period: str = Field(..., alias="period.code")
    value: Optional[float]
    decimals: Optional[int]
    yoy_pct: Optional[float]
    progress_pct: Optional[float]
    source: str
    status: str
    document_id: Optional[int]
    fact_id: Optional[int]
    note: str
    version: int
    updated_at: datetime


class ValueIn(Schema):
    """A figure for one indicator × org unit × period. ``version`` is the version the edit is based
    on: 0 when there is no current figure yet; a newer one on the server gives 409."""

    plan: Code
    indicator: Code
    org_unit: Code
    period: PeriodCode
    value: Optional[Number] = None
    yoy_pct: Optional[Number] = None
    progress_pct: Optional[Number] = None
    decimals: Optional[Annotated[int, Field(ge=0, le=6)]] = None
    note: Text = ""
    version: Version


class ValueEdit(Schema):
    value: Optional[Number] = None
    yoy_pct: Optional[Number] = None
    progress_pct: Optional[Number] = None
    decimals: Optional[Annotated[int, Field(ge=0, le=6)]] = None
    note: Text = ""
    version: Version


class ProgressOut(Schema):
    id: int
    task: str = Field(..., alias="task.code")
    task_id: int
    period: str = Field(..., alias="period.code")
    quantity_done: Optional[float]
    percent: Optional[float]
    narrative: str
    source: str
    status: str
    document_id: Optional[int]
    fact_id: Optional[int]
    note: str
    version: int
    updated_at: datetime


class ProgressIn(Schema):
    task_id: Annotated[int, Field(ge=1, le=MAX_ID)]
    period: PeriodCode
    quantity_done: Optional[Annotated[float, Field(allow_inf_nan=False, ge=0, le=1e15)]] = None
    percent: Optional[Annotated[float, Field(allow_inf_nan=False, ge=0, le=1000)]] = None
    narrative: Text = ""
    note: Text = ""
    version: Version


class ProgressEdit(Schema):
    quantity_done: Optional[Annotated[float, Field(allow_inf_nan=False, ge=0, le=1e15)]] = None
    percent: Optional[Annotated[float, Field(allow_inf_nan=False, ge=0, le=1000)]] = None
    narrative: Text = ""
    note: Text = ""
    version: Version


class StaleOut(Schema):
    """409: the record changed since the version the edit was based on; here is the newer one."""

    detail: str
    current: dict


class DocumentOut(Schema):
    id: int
    name: str
    format: str
    encoding: str
    size: int
    sha256: str
    plan: Optional[str] = Field(None, alias="plan.code")
    period: Optional[str] = Field(None, alias="period.code")
    created_at: datetime
    n_facts: int = 0

    @staticmethod
    def resolve_n_facts(obj):
        return getattr(obj, "n_facts", None) or obj.facts.count()


class DocumentText(DocumentOut):
    text: str


class FactOut(Schema):
    id: int
    document_id: int
    start: int
    end: int
    quote: str
    subject: str
    value: float
    unit: str
    yoy_pct: Optional[float]
    progress_pct: Optional[float]
    approx: bool
    indicator: Optional[str] = Field(None, alias="indicator.code")
    task: Optional[str] = Field(None, alias="task.code")
    confidence: Optional[float]


class ProposalOut(Schema):
    kind: Literal["value", "progress"]
    id: int
    fact_id: Optional[int]
    subject: str
    value: Optional[float]
    yoy_pct: Optional[float]
    progress_pct: Optional[float]
    status: str


class AcceptIn(Schema):
    """Accept a proposal as it is, or with edited numbers."""

    value: Optional[Number] = None
    yoy_pct: Optional[Number] = None
    progress_pct: Optional[Number] = None
    quantity_done: Optional[Annotated[float, Field(allow_inf_nan=False, ge=0, le=1e15)]] = None
    percent: Optional[Annotated[float, Field(allow_inf_nan=False, ge=0, le=1000)]] = None
    reason: Text = ""


class RejectIn(Schema):
    reason: Text = ""
