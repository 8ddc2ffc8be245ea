"""GraphQL of tenants: the type every area names."""

from __future__ import annotations

import strawberry

from kinerja.graph import sql
from kinerja.graph.enums import described
from kinerja.graph.relay import Node
from kinerja.tenancy.models import Tenant as TenantModel
from kinerja.tenancy.rules import TenantKind

described(TenantKind, "Kind of local government (or the platform domain).", {
    "PROVINSI": "Pemerintah provinsi: a province.",
    "KABUPATEN": "Pemerintah kabupaten: a regency.",
    "KOTA": "Pemerintah kota: a city.",
    "KECAMATAN": "Kecamatan: a district, when it runs its own tenant.",
    "KELURAHAN": "Kelurahan: an urban village, when it runs its own tenant.",
    "NAGARI": "Nagari: a West Sumatran village government (e.g. Nanggalo).",
    "PLATFORM": "The platform domain of the operators who run the deployment; never public.",
})


@sql.table(TenantModel, tenant=None,
           description="A local government using Kinerja; its data is isolated from every other.")
class Tenant(Node):
    slug: str = strawberry.field(description="Short public name used to sign in and in public operations, "
                                             "e.g. `bungo`.")
    name: str = strawberry.field(description="Nama pemerintah daerah, e.g. `Kabupaten Bungo`.")
    kind: TenantKind = strawberry.field(description="Jenis pemerintahan (kind of government).")
