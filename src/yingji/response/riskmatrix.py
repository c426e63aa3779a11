"""The risk matrix (风险矩阵) of a rapid risk assessment, without Django: likelihood (可能性, 1–5) × consequence
(后果严重性, 1–5) → risk level (低/中/高/极高) and the response level it recommends (none/IV/III/II/I).

The default table is the common product rule of the 5×5 matrix (inferred; the seeds name the method, 「快速风险
评估」, but give no table): score = likelihood × consequence; 1–4 low, 5–9 medium, 10–16 high, 20–25 very high.
Recommended response: low → none, medium → IV, high → III, very high → II, and the single worst cell (5×5) → I.
An administrator overrides any cell (services.assessments reads the overrides from the RiskMatrixCell table);
:func:`evaluate` takes the merged table, so the rule is written once.
"""

from dataclasses import dataclass

SCALE = (1, 2, 3, 4, 5)

LOW, MEDIUM, HIGH, VERY_HIGH = "low", "medium", "high", "very_high"
RISK_LEVELS = (LOW, MEDIUM, HIGH, VERY_HIGH)
RISK_LABELS = {LOW: ("低", "Low"), MEDIUM: ("中", "Medium"), HIGH: ("高", "High"), VERY_HIGH: ("极高", "Very high")}

# Response levels as response.choices.ResponseLevel values (repeated here so this module needs no Django).
RESPONSE_LEVELS = ("none", "IV", "III", "II", "I")

LIKELIHOOD_LABELS = {
    1: ("几乎不可能", "Almost impossible"),
    2: ("不太可能", "Unlikely"),
    3: ("可能", "Possible"),
    4: ("很可能", "Likely"),
    5: ("几乎肯定", "Almost certain"),
}
CONSEQUENCE_LABELS = {
    1: ("极小", "Minimal"),
    2: ("较小", "Minor"),
    3: ("中等", "Moderate"),
    4: ("严重", "Severe"),
    5: ("极严重", "Very severe"),
}


class MatrixError(ValueError):
    """A likelihood or consequence outside 1–5, or a table that is not a full 5×5 of known levels."""

    def __init__(self, field: str, message: str, message_en: str):
        super().__init__(message_en)
        self.field, self.message, self.message_en = field, message, message_en


@dataclass(frozen=True)
class Cell:
    risk_level: str
    recommended_level: str


Table = dict[tuple[int, int], Cell]


def default_cell(likelihood: int, consequence: int) -> Cell:
    score = likelihood * consequence
    if score <= 4:
        return Cell(LOW, "none")
    if score <= 9:
        return Cell(MEDIUM, "IV")
    if score <= 16:
        return Cell(HIGH, "III")
    return Cell(VERY_HIGH, "I" if score == 25 else "II")


def default_table() -> Table:
    return {(lk, cq): default_cell(lk, cq) for lk in SCALE for cq in SCALE}


def merged(overrides: dict[tuple[int, int], tuple[str, str]] | None = None) -> Table:
    """The default table with the given cells replaced; unknown levels or coordinates raise MatrixError."""
    table = default_table()
    for (lk, cq), (risk, response) in (overrides or {}).items():
        check_score("likelihood", lk)
        check_score("consequence", cq)
        if risk not in RISK_LEVELS:
            raise MatrixError("risk_level", f"未知的风险等级“{risk}”", f"Unknown risk level '{risk}'")
        if response not in RESPONSE_LEVELS:
            raise MatrixError("recommended_level", f"未知的响应级别“{response}”", f"Unknown response level '{response}'")
        table[(lk, cq)] = Cell(risk, response)
    return table


def check_score(field: str, value) -> int:
    name_zh, name_en = {"likelihood": ("可能性", "Likelihood"),
                        "consequence": ("后果严重性", "Consequence")}.get(field, (field, field))
    if isinstance(value, bool) or not isinstance(value, int) or value not in SCALE:
        raise MatrixError(field, f"{name_zh}须为 1–5 的整数", f"{name_en} must be a whole number from 1 to 5")
    return value


def evaluate(likelihood, consequence, table: Table | None = None) -> Cell:
    """The cell of the matrix for this likelihood and consequence (both 1–5)."""
    check_score("likelihood", likelihood)
    check_score("consequence", consequence)
    return (table or default_table())[(likelihood, consequence)]
