"""The template of each kind: Chinese column names in the first row, a second sheet with each
Chinese name beside its English name (either may head a column), and data validation where it
helps: lists of allowed values, dates, non-negative whole numbers and amounts, and text format
for codes so that Excel keeps `0017` as typed."""
import io

from chalicelib.domain.sheet_kinds import CHOICE, DAY, INT, MOMENT, MONEY, Kind

ROWS = 5000
EXAMPLE_FAMILY_MEMBER = {"region": "south", "customer_group": "vip", "attr": "颜色"}


def build(kind: Kind) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    sheet.title = kind.title
    required = PatternFill("solid", fgColor="FFF2CC")
    headers = [(c.zh, c) for c in kind.columns]
    headers += [(f"{f.zh}:{EXAMPLE_FAMILY_MEMBER.get(f.prefix, 'id')}", f) for f in kind.families]
    for index, (name, spec) in enumerate(headers, start=1):
        cell = sheet.cell(row=1, column=index, value=name)
        cell.font = Font(bold=True)
        if getattr(spec, "required", False):
            cell.fill = required
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = max(14, len(name.encode("gbk", "replace")) + 4)
        _validate(sheet, letter, spec)
    sheet.freeze_panes = "A2"
    _legend(book.create_sheet("字段说明 Fields"), kind)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _validate(sheet, letter: str, spec) -> None:
    from openpyxl.styles import numbers
    from openpyxl.worksheet.datavalidation import DataValidation

    cells = f"{letter}2:{letter}{ROWS + 1}"
    kind = spec.type
    rule = None
    if kind == CHOICE:
        allowed = ",".join(alias for _, alias in spec.choices)
        rule = DataValidation(type="list", formula1=f'"{allowed}"', allow_blank=True,
                              error=f"one of {allowed} (or {', '.join(v for v, _ in spec.choices)})")
    elif kind == DAY:
        rule = DataValidation(type="date", operator="greaterThan", formula1="1", allow_blank=True,
                              error="a date, e.g. 2024-01-05")
    elif kind == INT:
        rule = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0", allow_blank=True,
                              error="a whole number, 0 or more")
    elif kind == MONEY:
        rule = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True,
                              error="an amount in CNY, 0 or more, at most two decimals")
    if rule is not None:
        rule.errorTitle = spec.zh
        rule.showErrorMessage = kind != CHOICE   # a list also takes the English values
        rule.add(cells)
        sheet.add_data_validation(rule)
    if kind in (DAY, MOMENT):
        sheet.column_dimensions[letter].number_format = "yyyy-mm-dd" if kind == DAY else "yyyy-mm-dd hh:mm"
    elif kind not in (INT, MONEY):
        sheet.column_dimensions[letter].number_format = numbers.FORMAT_TEXT


def _legend(sheet, kind: Kind) -> None:
    from openpyxl.styles import Font

    sheet.append(["中文列名", "English name", "必填 Required", "说明 Notes"])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for column in kind.columns:
        notes = column.note
        if column.choices:
            notes = (notes + "; " if notes else "") + ", ".join(f"{a} = {v}" for v, a in column.choices)
        sheet.append([column.zh, column.field, "是 yes" if column.required else "", notes])
    for family in kind.families:
        sheet.append([f"{family.zh}:<id>", f"{family.prefix}:<id>", "", family.note])
    for letter, width in zip("ABCD", (22, 28, 14, 70)):
        sheet.column_dimensions[letter].width = width
