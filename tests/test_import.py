"""Bulk import of employees: per-row error report, all or nothing."""

from __future__ import annotations

import pytest
from conftest import rows

from kinerja.org.importer import ImportFailed, import_employees
from kinerja.org.models import Employee
from kinerja.tenancy.models import Tenant

HEADER = "NIP,NAMA,JABATAN,UNIT,NIP_ATASAN,JENIS_PEGAWAI\n"


async def _tenant():
    return (await rows(Tenant, None, slug="tebingtinggi"))[0]


async def test_import_creates_then_updates(tmp_path):
    tenant = await _tenant()
    before = len(await rows(Employee, tenant.id))
    csv_text = HEADER + (
        "199001012015031001,Andi Import,Pranata Komputer,DINKES-P2P,,PNS\n"
        "199202022016042002,Budi Import,Pengolah Data,Bidang Pencegahan dan Pengendalian Penyakit,"
        "199001012015031001,PPPK\n"
    )
    result = await import_employees("tebingtinggi", csv_text, "staff.csv")
    assert (result.created, result.updated) == (2, 0)
    budi = (await rows(Employee, tenant.id, nip="199202022016042002"))[0]
    andi = (await rows(Employee, tenant.id, nip="199001012015031001"))[0]
    assert budi.supervisor_id == andi.id and budi.employment_type.value == "PPPK"
    again = await import_employees("tebingtinggi", csv_text.replace("Andi Import", "Andi Impor"), "staff.csv")
    assert (again.created, again.updated) == (0, 2)
    assert len(await rows(Employee, tenant.id)) == before + 2


async def test_bad_rows_are_reported_by_line_and_nothing_is_written():
    tenant = await _tenant()
    before = len(await rows(Employee, tenant.id))
    csv_text = HEADER + (
        "199303032017051003,Valid Person,Pengolah Data,DINKES,,PNS\n"
        "12345,Short Nip,Pengolah Data,DINKES,,PNS\n"
        "199304042017051004,,Pengolah Data,DINKES,,PNS\n"
        "199305052017051005,Bad Unit,Pengolah Data,NOWHERE,,PNS\n"
        "199306062017051006,Bad Boss,Pengolah Data,DINKES,199999999999999999,PNS\n"
        "199303032017051003,Duplicate,Pengolah Data,DINKES,,PNS\n"
        "199307072017051007,Bad Kind,Pengolah Data,DINKES,,HONORER\n"
    )
    with pytest.raises(ImportFailed) as caught:
        await import_employees("tebingtinggi", csv_text, "bad.csv")
    found = {(e.line, e.column) for e in caught.value.errors}
    assert found == {(3, "NIP"), (4, "NAMA"), (5, "UNIT"), (6, "NIP_ATASAN"), (7, "NIP"), (8, "JENIS_PEGAWAI")}
    assert "line 5, UNIT: no org unit" in caught.value.report()
    assert len(await rows(Employee, tenant.id)) == before
    assert await rows(Employee, tenant.id, nip="199303032017051003") == []


async def test_missing_columns_and_unknown_tenant():
    with pytest.raises(ImportFailed, match="problems"):
        await import_employees("tebingtinggi", "NIP,JABATAN\n1,2\n", "x.csv")
    with pytest.raises(ImportFailed) as caught:
        await import_employees("atlantis", HEADER, "x.csv")
    assert "no tenant" in caught.value.report()


async def test_the_contract_start_of_pppk_is_imported():
    """PP 49/2018 art. 40(1): the contract years of a PPPK's JP cap count from the contract start
    (TMT perjanjian kerja), imported like the other fields; a PNS has none."""
    import datetime as dt

    tenant = await _tenant()
    header = HEADER.rstrip("\n") + ",TMT_PERJANJIAN_KERJA\n"
    bad = header + ("199408082018061008,Citra Kontrak,Pengolah Data,DINKES,,PPPK,2024-13-01\n"
                    "199409092018061009,Dewi Kontrak,Pengolah Data,DINKES,,PNS,2024-01-01\n")
    with pytest.raises(ImportFailed) as caught:
        await import_employees("tebingtinggi", bad, "contract.csv")
    assert {(e.line, e.column) for e in caught.value.errors} == {(2, "TMT_PERJANJIAN_KERJA"),
                                                                 (3, "TMT_PERJANJIAN_KERJA")}
    good = header + "199408082018061008,Citra Kontrak,Pengolah Data,DINKES,,PPPK,2024-07-01\n"
    assert (await import_employees("tebingtinggi", good, "contract.csv")).created == 1
    [citra] = await rows(Employee, tenant.id, nip="199408082018061008")
    assert citra.contract_starts_on == dt.date(2024, 7, 1)
