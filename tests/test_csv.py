"""CSV in and out: exports neutralise formulas (OWASP) and keep numbers numbers; imports read UTF-8
(with or without BOM) and Windows-1252, refuse anything else by line, quote as RFC 4180, and refuse
supervisor cycles naming the rows."""

from __future__ import annotations

import csv
import io

import pytest
from conftest import rows
from hypothesis import given
from hypothesis import strategies as st

from kinerja.core.csvexport import safe_cell, write_csv
from kinerja.core.csvimport import ImportFailed
from kinerja.core.ids import to_global_id
from kinerja.org.importer import import_employees, import_employees_file
from kinerja.org.models import Employee, OrgUnit
from kinerja.org.rules import supervisor_cycles
from kinerja.tenancy.models import Tenant
from kinerja.training.importer import import_training_file

HEADER = "NIP,NAMA,JABATAN,UNIT,NIP_ATASAN,JENIS_PEGAWAI\r\n"
FORMULAS = ["=HYPERLINK(\"http://x.example\",\"klik\")", "+1+1", "-2+3", "@SUM(A1)", "\tTab", "\rReturn",
            "=cmd|' /C calc'!A0"]


def _parse(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


# --- exports ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("value", FORMULAS)
def test_a_formula_cell_gets_a_leading_quote(value):
    assert safe_cell(value) == "'" + value
    assert _parse(write_csv([[value]])) == [["'" + value]]


def test_numbers_the_product_writes_stay_numbers_and_plain_text_stays():
    from decimal import Decimal

    text = write_csv([[-5, 2.5, Decimal("-88.31"), 0, "Budi, S.E.", 'Kata "kutip"', "<5", None]])
    assert text == '-5,2.5,-88.31,0,"Budi, S.E.","Kata ""kutip""",<5,\r\n'


@given(st.text())
def test_no_text_cell_reaches_a_spreadsheet_as_a_formula(value):
    [[cell]] = _parse(write_csv([[value]])) if value not in ("",) else [[""]]
    assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))
    assert cell.removeprefix("'") == value or cell == value


async def _tenant(slug="tebingtinggi"):
    return (await rows(Tenant, None, slug=slug))[0]


async def test_the_predicate_sheet_neutralises_names_typed_by_people(api):
    tenant = await _tenant()
    unit = (await rows(OrgUnit, tenant.id, code="DINKES"))[0]
    lines = "".join(f"198001012005011{n:03d},{name},,DINKES,,PNS\r\n" for n, name in enumerate(
        ['"=HYPERLINK(""http://x.example"",""klik"")"', "+62 811", "-Budi", "@Ani"], start=1))
    await import_employees("tebingtinggi", HEADER + lines, "formulas.csv")
    token = await api.token("tebingtinggi", "admin")
    period = (await api.ok("{ periods(year: 2026) { id } }", token=token))["periods"][0]["id"]
    response = await api.client.get(f"/documents/units/{to_global_id('OrgUnit', unit.id)}/predicates.csv",
                                    params={"periodId": period}, headers={"authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.text
    names = {row[3] for row in _parse(response.text)[1:]}
    assert {"'=HYPERLINK(\"http://x.example\",\"klik\")", "'+62 811", "'-Budi", "'@Ani"} <= names
    assert not any(name.startswith(("=", "+", "-", "@")) for name in names)
    assert response.text.endswith("\r\n")


async def test_the_public_report_neutralises_service_names_and_keeps_counts_numbers(api):
    admin = await api.token("nanggalo", "admin")
    saved = await api.ok('mutation { saveServiceUnit(input: {code: "CSV-FORMULA", name: "=1+2 Layanan"}) '
                         "{ serviceUnit { id name } userErrors { code } } }", token=admin)
    assert saved["saveServiceUnit"]["userErrors"] == []
    response = await api.client.get("/public/nanggalo/report/2026.csv")
    assert response.status_code == 200
    table = _parse(response.text)
    assert table[[r[1] for r in table].index("'=1+2 Layanan")][:2] == ["IKM", "'=1+2 Layanan"]
    counts = [row[2] for row in table[1:] if row[0] == "IKM" and row[2] not in ("", "<5")]
    assert counts and all(c.isdigit() for c in counts)


# --- imports ---------------------------------------------------------------------------------------

NAMES = {"198101012006041001": "Désirée Pérez", "198101012006041002": "Rudi ‘Sang’ Wijaya – Staf"}


def _employee_csv(nips: dict[str, str]) -> str:
    return HEADER + "".join(f"{nip},{name},,DINKES,,PNS\r\n" for nip, name in nips.items())


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
async def test_imports_read_utf8_with_or_without_bom_and_windows_1252(tmp_path, encoding):
    tenant = await _tenant()
    nips = {nip[:-1] + str(["utf-8", "utf-8-sig", "cp1252"].index(encoding) + 3): name for nip, name in NAMES.items()}
    path = tmp_path / "pegawai.csv"
    path.write_bytes(_employee_csv(nips).encode(encoding))
    await import_employees_file("tebingtinggi", path, progress=None)
    for nip, name in nips.items():
        assert (await rows(Employee, tenant.id, nip=nip))[0].name == name


@pytest.mark.parametrize(("content", "line", "words"), [
    (HEADER.encode() + b"198101012006041009,Bad \x81 byte,,DINKES,,PNS\r\n", 2, "neither UTF-8 nor Windows-1252"),
    (HEADER.encode() + "198101012006041010,Sébastien,,DINKES,,PNS\r\n".encode()
     + b"198101012006041011,Ren\xe9,,DINKES,,PNS\r\n", 3, "not valid UTF-8"),
    ("\ufeff".encode("utf-16-le").join([b"", _employee_csv(NAMES).encode("utf-16-le")]), 1, "UTF-16"),
    (HEADER.encode() + b"198101012006041012,Nul\x00,,DINKES,,PNS\r\n", 2, "NUL"),
], ids=["undefined byte", "damaged UTF-8", "UTF-16", "binary"])
async def test_imports_refuse_other_encodings_naming_the_line(tmp_path, content, line, words):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    for importer in (import_employees_file, import_training_file):
        with pytest.raises(ImportFailed) as caught:
            await importer("tebingtinggi", path, progress=None)
        [error] = caught.value.errors
        assert (error.line, error.column) == (line, "(encoding)") and words in error.message, caught.value.report()


async def test_imports_follow_rfc_4180_quoting():
    tenant = await _tenant()
    text = HEADER + ('198101012006041020,"Budi ""Bud"" Santoso, S.E.",,DINKES,,PNS\r\n'
                     '198101012006041021,"Ani\r\nBaris Dua",,DINKES,,PNS\r\n'
                     '198101012006041022,Ratna,,DINKES,,PNS\r\n')
    await import_employees("tebingtinggi", text, "quoted.csv")
    assert (await rows(Employee, tenant.id, nip="198101012006041020"))[0].name == 'Budi "Bud" Santoso, S.E.'
    assert (await rows(Employee, tenant.id, nip="198101012006041021"))[0].name == "Ani\r\nBaris Dua"
    # Lines are counted as the file has them: a quoted line break moves the next row to line 5.
    with pytest.raises(ImportFailed) as caught:
        await import_employees("tebingtinggi", text + "12345,Pendek,,DINKES,,PNS\r\n", "quoted.csv")
    assert [(e.line, e.column) for e in caught.value.errors] == [(6, "NIP")]


async def test_malformed_quoting_is_refused_by_line():
    text = HEADER + '198101012006041030,Ok,,DINKES,,PNS\r\n198101012006041031,"Broken" name,,DINKES,,PNS\r\n'
    with pytest.raises(ImportFailed) as caught:
        await import_employees("tebingtinggi", text, "broken.csv")
    assert [(e.line, e.column) for e in caught.value.errors] == [(3, "(quoting)")]


async def test_supervisor_cycles_are_refused_naming_the_rows():
    tenant = await _tenant()
    a, b, c, d = (f"198202022007011{n:03d}" for n in range(1, 5))
    text = HEADER + (f"{a},Siklus A,,DINKES,{b},PNS\r\n{b},Siklus B,,DINKES,{c},PNS\r\n"
                     f"{c},Siklus C,,DINKES,{a},PNS\r\n{d},Bukan Siklus,,DINKES,{a},PNS\r\n")
    with pytest.raises(ImportFailed) as caught:
        await import_employees("tebingtinggi", text, "cycle.csv")
    assert [(e.line, e.column) for e in caught.value.errors] == [(2, "NIP_ATASAN"), (3, "NIP_ATASAN"),
                                                                  (4, "NIP_ATASAN")]
    assert "line 2" in caught.value.errors[0].message and "line 4" in caught.value.errors[0].message
    assert await rows(Employee, tenant.id, nip=a) == []

    # A loop through an employee already stored: the file makes the stored boss report to his staff.
    await import_employees("tebingtinggi", HEADER + f"{a},Atasan,,DINKES,,PNS\r\n{b},Staf,,DINKES,{a},PNS\r\n", "ok.csv")
    with pytest.raises(ImportFailed) as caught:
        await import_employees("tebingtinggi", HEADER + f"{a},Atasan,,DINKES,{b},PNS\r\n", "loop.csv")
    [error] = caught.value.errors
    assert error.line == 2 and f"stored employee {b}" in error.message
    assert (await rows(Employee, tenant.id, nip=a))[0].supervisor_id is None


@given(st.dictionaries(st.sampled_from("abcdefgh"), st.one_of(st.none(), st.sampled_from("abcdefghxy"))))
def test_supervisor_cycles_are_exactly_the_loops(relation):
    cycles = supervisor_cycles(relation)
    on_cycles = [node for cycle in cycles for node in cycle]
    assert len(on_cycles) == len(set(on_cycles))
    for cycle in cycles:
        assert all(relation[node] == cycle[(i + 1) % len(cycle)] for i, node in enumerate(cycle))
    for node in relation:  # a node off every cycle reaches an end by following its supervisors
        seen, current = set(), node
        while current in relation and current not in seen and current not in on_cycles:
            seen.add(current)
            current = relation[current]
        assert current is None or current not in relation or current in on_cycles
