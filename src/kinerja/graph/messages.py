"""Localised messages: the one catalogue of the English messages the API writes and their Indonesian
text, and the request's language.

Services raise errors in English (the default language, and the one in logs). Where errors are
formatted for a client (``graph/errors.py: with_code`` for `errors`, ``graph/relay.py: user_errors``
for `userErrors`, the HTTP view and the websocket session for the errors they write themselves), the
message is translated into the request's language; `extensions.code` and `field` never change, so
a client keys its own texts by code and reads the message only to show it.

A catalogue key is the English message; a dynamic part is a named placeholder, `{name}` (any text) or
`{name:code}` (an enum value or a code: capitals, digits and `_`). The Indonesian text repeats the same
names. A dynamic part is the service's own (a status, a limit, a field name), never a submitted value;
a part that is itself a message of the catalogue is translated as well. A message the catalogue does
not know stays in English (graphql-core's rarer validation messages)."""

from __future__ import annotations

import contextvars
import functools
import re

ENGLISH, INDONESIAN = "en", "id"
LANGUAGES = (ENGLISH, INDONESIAN)

# The language of the request being answered: set once per request, from the HTTP request's
# Accept-Language (app.py's request middleware) or from the websocket session's (the upgrade request's
# headers, or `Accept-Language` in the connection_init payload).
language: contextvars.ContextVar[str] = contextvars.ContextVar("kinerja_language", default=ENGLISH)

_RANGE = re.compile(r"^\s*([A-Za-z]{1,8})(?:-[A-Za-z0-9]{1,8})*\s*(?:;\s*q\s*=\s*([0-9.]+))?\s*$")


def negotiate(accept_language: str | None) -> str:
    """The language of an Accept-Language header (RFC 9110: ranges with q-values; `id`, `id-ID`, `in`
    are Indonesian); English when nothing better is asked for or the header is malformed."""
    best, best_q = ENGLISH, 0.0
    for _position, item in enumerate((accept_language or "")[:512].split(",")[:32]):
        found = _RANGE.match(item)
        if not found:
            continue
        try:
            q = float(found.group(2)) if found.group(2) is not None else 1.0
        except ValueError:
            continue
        primary = found.group(1).lower()
        tag = {"id": INDONESIAN, "in": INDONESIAN, "en": ENGLISH}.get(primary)
        if tag is not None and q > best_q and q > 0:
            best, best_q = tag, q
        elif primary == "*" and best_q == 0 and q > 0:
            best_q = q  # anything: the default
    return best


CATALOGUE: dict[str, str] = {
    # --- request, transport and the GraphQL layer -------------------------------------------------
    "Authentication required: send 'Authorization: Bearer <token>'":
        "Perlu autentikasi: kirim 'Authorization: Bearer <token>'",
    "Authentication required": "Perlu autentikasi",
    "Authorization header must be 'Bearer <token>'": "Header Authorization harus berbentuk 'Bearer <token>'",
    "Invalid or expired access token": "Token akses tidak sah atau sudah kedaluwarsa",
    "This account no longer exists or is disabled": "Akun ini sudah tidak ada atau dinonaktifkan",
    "This account no longer exists or is disabled; sign in again":
        "Akun ini sudah tidak ada atau dinonaktifkan; silakan masuk kembali",
    "You lack the permission to {action} {object}": "Anda tidak memiliki izin untuk {action} {object}",
    "No object with this id": "Tidak ada objek dengan id ini",
    "No {type} with this id": "Tidak ada {type} dengan id ini",
    "No {type} with that id": "Tidak ada {type} dengan id tersebut",
    "Not found": "Tidak ditemukan",
    "Invalid cursor": "Kursor tidak sah",
    "first must not be negative": "first tidak boleh negatif",
    "Too many requests; try again in {seconds} seconds":
        "Terlalu banyak permintaan; coba lagi dalam {seconds} detik",
    "Database unavailable, retry shortly": "Basis data tidak tersedia, coba lagi sebentar lagi",
    "File storage unavailable, retry shortly": "Penyimpanan berkas tidak tersedia, coba lagi sebentar lagi",
    "The operation took longer than {seconds} s and was cancelled; nothing it wrote was kept "
    "(request id {request_id})":
        "Operasi berjalan lebih lama dari {seconds} detik dan dibatalkan; tidak ada yang ditulisnya yang "
        "disimpan (id permintaan {request_id})",
    "Internal server error (request id {request_id})": "Kesalahan internal server (id permintaan {request_id})",
    "A value is out of range or cannot be stored": "Sebuah nilai di luar rentang atau tidak dapat disimpan",
    "Another record with the same {fields} already exists (a concurrent request may have just created it)":
        "Sudah ada data lain dengan {fields} yang sama (permintaan lain yang bersamaan mungkin baru saja "
        "membuatnya)",
    "A record this refers to was changed or removed by another request, or is still in use; reload and try "
    "again":
        "Data yang dirujuk diubah atau dihapus oleh permintaan lain, atau masih digunakan; muat ulang dan coba "
        "lagi",
    "Nothing changed: this is already so (a request like this one may have just done it)":
        "Tidak ada yang berubah: keadaannya memang sudah demikian (permintaan serupa mungkin baru saja "
        "melakukannya)",
    "Not run: an earlier mutation of this operation failed, and an operation is kept whole or not at all; "
    "send this one again on its own":
        "Tidak dijalankan: mutasi sebelumnya dalam operasi ini gagal, dan operasi disimpan utuh atau tidak sama "
        "sekali; kirim mutasi ini lagi secara terpisah",
    "One operation acts in one tenant: send operations that name different tenants, or a tenant and the "
    "signed-in user, as separate requests":
        "Satu operasi bekerja dalam satu tenant: kirim operasi yang menyebut tenant berbeda, atau sebuah tenant "
        "dan pengguna yang masuk, sebagai permintaan terpisah",
    "Requests from this origin are not allowed for this tenant":
        "Permintaan dari origin ini tidak diizinkan untuk tenant ini",
    "Connections from this origin are not allowed for this tenant":
        "Koneksi dari origin ini tidak diizinkan untuk tenant ini",
    "Send operations as POST with Content-Type: application/json":
        "Kirim operasi sebagai POST dengan Content-Type: application/json",
    "Content-Type must be application/json": "Content-Type harus application/json",
    "Unable to parse request body: {reason}": "Badan permintaan tidak dapat diurai: {reason}",
    "the body is not valid UTF-8": "badan permintaan bukan UTF-8 yang sah",
    "the body is not valid JSON": "badan permintaan bukan JSON yang sah",
    "JSON nested deeper than {levels} levels": "JSON bersarang lebih dari {levels} tingkat",
    "The request body must be a JSON object with a `query`": "Badan permintaan harus objek JSON dengan `query`",
    "The GraphQL operation's `operationName` must be a string or null, if provided.":
        "`operationName` operasi GraphQL harus string atau null, jika diberikan.",
    "The document holds several operations: name the one to run in operationName":
        "Dokumen memuat beberapa operasi: sebutkan yang akan dijalankan dalam operationName",
    "The document uses {count} directives; at most {limit} are allowed":
        "Dokumen memakai {count} direktif; paling banyak {limit} yang diizinkan",
    "The directive @{name} is repeated on one location": "Direktif @{name} diulang pada satu lokasi",
    "The field {field} is selected {count} times in one place; at most {limit} are allowed":
        "Field {field} dipilih {count} kali di satu tempat; paling banyak {limit} yang diizinkan",
    "The query costs {cost}, more than the allowed {limit}: ask for smaller pages (first) or fewer nested lists":
        "Biaya kueri {cost}, melebihi batas {limit}: minta halaman lebih kecil (first) atau lebih sedikit daftar "
        "bersarang",
    # graphql-core: parse and validation
    "Syntax Error: {detail}": "Kesalahan sintaksis: {detail}",
    "Cannot query field '{field}' on type '{type}'.": "Field '{field}' tidak ada pada tipe '{type}'.",
    "Unknown argument '{argument}' on field '{field}'.": "Argumen '{argument}' tidak dikenal pada field '{field}'.",
    "Field '{field}' argument '{argument}' of type '{type}' is required, but it was not provided.":
        "Argumen '{argument}' (tipe '{type}') pada field '{field}' wajib diisi, tetapi tidak diberikan.",
    "Field '{field}' of type '{type}' must have a selection of subfields.":
        "Field '{field}' bertipe '{type}' harus memilih subfield.",
    "Field '{field}' must not have a selection since type '{type}' has no subfields.":
        "Field '{field}' tidak boleh memilih subfield karena tipe '{type}' tidak memilikinya.",
    "Unknown type '{type}'.": "Tipe '{type}' tidak dikenal.",
    "Variable '${variable}' is not defined.": "Variabel '${variable}' tidak didefinisikan.",
    "Variable '${variable}' is never used.": "Variabel '${variable}' tidak pernah dipakai.",
    "Variable '${variable}' of required type '{type}' was not provided.":
        "Variabel '${variable}' bertipe wajib '{type}' tidak diberikan.",
    "Variable '${variable}' has invalid value: {detail}": "Nilai variabel '${variable}' tidak sah: {detail}",
    "Variable '${variable}' has invalid value at {path}: {detail}":
        "Nilai variabel '${variable}' tidak sah pada {path}: {detail}",
    "Unknown operation named '{name}'.": "Tidak ada operasi bernama '{name}'.",
    # ... and the shapes graph/errors.py gives variable coercion messages (never with the value)
    "Expected value of type '{type}' to include required field '{field}'.":
        "Nilai bertipe '{type}' harus memuat field wajib '{field}'.",
    "Expected value of type '{type}' not to include unknown field '{field}'.":
        "Nilai bertipe '{type}' tidak boleh memuat field tak dikenal '{field}'.",
    "Expected value of type '{type}'.": "Diharapkan nilai bertipe '{type}'.",
    "Value does not exist in '{enum}' enum.": "Nilai tidak ada dalam enum '{enum}'.",
    "the value does not fit its type.": "nilai tidak sesuai dengan tipenya.",
    "{type} cannot represent non numeric value.": "{type} tidak dapat mewakili nilai yang bukan angka.",
    "{type} cannot represent value.": "{type} tidak dapat mewakili nilai ini.",
    "{type} cannot represent non-integer value.": "{type} tidak dapat mewakili nilai yang bukan bilangan bulat.",
    "{type} cannot represent non 32-bit signed integer value.":
        "{type} tidak dapat mewakili nilai di luar bilangan bulat 32-bit bertanda.",
    "{type} cannot represent a non string value.": "{type} tidak dapat mewakili nilai yang bukan string.",
    "{type} cannot represent a non boolean value.": "{type} tidak dapat mewakili nilai yang bukan boolean.",
    "No GraphQL query found in the request": "Tidak ada kueri GraphQL dalam permintaan",
    "Unable to parse request body as JSON": "Badan permintaan tidak dapat diurai sebagai JSON",
    "'{name}' exceeds maximum operation depth of {depth}": "'{name}' melebihi kedalaman operasi maksimum {depth}",
    # --- auth: sessions and roles ----------------------------------------------------------------
    "Unknown tenant, username or password": "Tenant, nama pengguna atau kata sandi salah",
    "Too many failed logins for this user; try again later":
        "Terlalu banyak percobaan masuk yang gagal untuk pengguna ini; coba lagi nanti",
    "Invalid refresh token": "Token penyegaran tidak sah",
    "Refresh token was already used; sign in again": "Token penyegaran sudah pernah dipakai; silakan masuk kembali",
    "Refresh token expired; sign in again": "Token penyegaran sudah kedaluwarsa; silakan masuk kembali",
    "This session is already signed out": "Sesi ini sudah keluar",
    "Password must be at least 10 characters": "Kata sandi minimal 10 karakter",
    "Password must be at most 256 characters": "Kata sandi maksimal 256 karakter",
    "User not found": "Pengguna tidak ditemukan",
    "Role not found": "Peran tidak ditemukan",
    "A role of this name already exists": "Peran dengan nama ini sudah ada",
    "Built-in role {role} follows the platform template; create a custom role instead":
        "Peran bawaan {role} mengikuti templat platform; buat peran kustom sebagai gantinya",
    "You cannot change a role holding {permission}, which you do not hold":
        "Anda tidak dapat mengubah peran yang memuat {permission}, yang tidak Anda miliki",
    "Built-in role {role} cannot be deleted": "Peran bawaan {role} tidak dapat dihapus",
    "Role {role} is still held by {count} user(s); revoke it first":
        "Peran {role} masih dimiliki {count} pengguna; cabut dahulu",
    "You cannot delete a role holding {permission}, which you do not hold":
        "Anda tidak dapat menghapus peran yang memuat {permission}, yang tidak Anda miliki",
    "No role of this name in this tenant": "Tidak ada peran dengan nama ini di tenant ini",
    "You cannot grant or revoke {role}: it holds {permission}, which you do not":
        "Anda tidak dapat memberikan atau mencabut {role}: peran itu memuat {permission}, yang tidak Anda miliki",
    "The user already holds {role}": "Pengguna sudah memiliki peran {role}",
    "The user does not hold {role}": "Pengguna tidak memiliki peran {role}",
    "The employee already has an active login: deactivate it first (one login per employee, so nobody acts as "
    "an employee beside him or her)":
        "Pegawai ini sudah memiliki akun aktif: nonaktifkan dahulu (satu akun per pegawai, agar tidak ada yang "
        "bertindak sebagai pegawai itu)",
    "Nobody deactivates his or her own login": "Tidak ada yang menonaktifkan akunnya sendiri",
    "The login is already inactive": "Akun sudah nonaktif",
    "This session has ended; sign in again": "Sesi ini sudah berakhir; silakan masuk lagi",
    "The login is already active": "Akun sudah aktif",
    "Session not found": "Sesi tidak ditemukan",
    "This session has already ended": "Sesi ini sudah berakhir",
    "The current password is wrong": "Kata sandi saat ini salah",
    "The new password must differ from the current one": "Kata sandi baru harus berbeda dari yang sekarang",
    "Change your own password with changePassword": "Ubah kata sandi sendiri dengan changePassword",
    "The login is inactive: reactivate it first": "Akun nonaktif: aktifkan kembali lebih dahulu",
    "Unknown tenant, username or reset code": "Tenant, nama pengguna, atau kode reset tidak dikenal",
    # --- bulk imports ---------------------------------------------------------------------------------
    "Import not found": "Impor tidak ditemukan",
    "The import is already committed": "Impor sudah disimpan",
    "The import has problems: correct the file and start a new import":
        "Impor ini bermasalah: perbaiki berkasnya lalu mulai impor baru",
    "The file is too large: at most {limit} characters": "Berkas terlalu besar: paling banyak {limit} karakter",
    "The file is empty": "Berkas kosong",
    "The file has problems now (the data it names changed since the dry run): start a new import":
        "Berkas kini bermasalah (data yang dirujuknya berubah sejak uji coba): mulai impor baru",
    "You lack the permission to manage employee or training imports":
        "Anda tidak berhak mengelola impor pegawai atau pelatihan",
    "A user with this username already exists": "Pengguna dengan nama pengguna ini sudah ada",
    "Description must be at most 300 characters": "Keterangan maksimal 300 karakter",
    "Role name must be 1-63 letters, digits, '_' or '-', starting with a letter or digit (no '*', commas, "
    "quotes, spaces or newlines)":
        "Nama peran harus 1-63 huruf, angka, '_' atau '-', diawali huruf atau angka (tanpa '*', koma, tanda "
        "kutip, spasi atau baris baru)",
    "Username must be 2-64 letters, digits, '.', '_' or '-' (a NIP, for example)":
        "Nama pengguna harus 2-64 huruf, angka, '.', '_' atau '-' (misalnya NIP)",
    "The tenant must keep at least one active {role}": "Tenant harus tetap memiliki sedikitnya satu {role} aktif",
    "Permission {permission} is unknown": "Izin {permission} tidak dikenal",
    "Permission {permission} exists only in the platform domain": "Izin {permission} hanya ada di domain platform",
    "You cannot grant {permission}: you do not hold it yourself":
        "Anda tidak dapat memberikan {permission}: Anda sendiri tidak memilikinya",
    # --- tenants and their files ------------------------------------------------------------------
    "Only platform operators manage tenants": "Hanya operator platform yang mengelola tenant",
    "A tenant with this slug already exists": "Tenant dengan slug ini sudah ada",
    "Name is required (at most 200 characters)": "Nama wajib diisi (maksimal 200 karakter)",
    "PLATFORM is reserved": "PLATFORM dicadangkan",
    "Unknown tenant": "Tenant tidak dikenal",
    "year must be between {start} and {end}": "tahun harus antara {start} dan {end}",
    "origins must be strings like 'https://kinerja.example.go.id'":
        "origins harus berupa string seperti 'https://kinerja.example.go.id'",
    "{origin} is not an origin: write scheme://host[:port] in lowercase, http or https, without path, query, "
    "wildcard or trailing slash":
        "{origin} bukan origin: tulis scheme://host[:port] dengan huruf kecil, http atau https, tanpa path, "
        "query, wildcard atau garis miring di akhir",
    "{origin} has an invalid port": "{origin} memiliki port yang tidak sah",
    "matrix must be a table": "matrix harus berupa tabel",
    "matrix lacks the row {row}": "matrix tidak memiliki baris {row}",
    "matrix[{row}][{column}] must be a predicate": "matrix[{row}][{column}] harus berupa predikat",
    # --- org --------------------------------------------------------------------------------------
    "Employee not found": "Pegawai tidak ditemukan",
    "Org unit not found": "Unit kerja tidak ditemukan",
    "Period not found": "Periode tidak ditemukan",
    "Period {period} is already {state}": "Periode {period} sudah {state}",
    "closed": "ditutup",
    "open": "dibuka",
    "NIP must be exactly 18 digits": "NIP harus tepat 18 digit",
    "NIP digits 13-14 must be the appointment month (01-12)": "Digit 13-14 NIP harus bulan pengangkatan (01-12)",
    "NIP digits 9-12 (appointment year) must be at least 15 years after birth":
        "Digit 9-12 NIP (tahun pengangkatan) harus sedikitnya 15 tahun setelah kelahiran",
    "NIP digit 15 must be 1 (male) or 2 (female)": "Digit 15 NIP harus 1 (laki-laki) atau 2 (perempuan)",
    "NIP digits 16-18 (serial number) must not be 000": "Digit 16-18 NIP (nomor urut) tidak boleh 000",
    "NIP digits 1-8 must be a valid birth date (YYYYMMDD)": "Digit 1-8 NIP harus tanggal lahir yang sah (YYYYMMDD)",
    # --- plans (SKP) ------------------------------------------------------------------------------
    "Performance plan not found": "SKP tidak ditemukan",
    "Result target not found": "RHK tidak ditemukan",
    "Parent result target not found": "RHK atasan (intervensi) tidak ditemukan",
    "Indicator not found": "Indikator tidak ditemukan",
    "Realisation not found in this plan": "Realisasi tidak ditemukan dalam SKP ini",
    "Feedback to reply to not found in this plan": "Umpan balik yang dibalas tidak ditemukan dalam SKP ini",
    "Only the plan's owner can change it": "Hanya pemilik SKP yang dapat mengubahnya",
    "Only the plan's owner reports its realisation": "Hanya pemilik SKP yang melaporkan realisasinya",
    "Your login is not linked to an employee record": "Akun Anda tidak terhubung dengan data pegawai",
    "Year must be between 2000 and 2100": "Tahun harus antara 2000 dan 2100",
    "You already have a plan for {year}; edit it or make a new revision":
        "Anda sudah memiliki SKP untuk {year}; ubah SKP itu atau buat revisi baru",
    "The parent result target must belong to a supervisor up your chain":
        "RHK atasan harus milik atasan dalam rantai atasan Anda",
    "The parent result target belongs to {parent_year}, not {year}":
        "RHK atasan milik tahun {parent_year}, bukan {year}",
    "{count} result target(s) of your team contribute to this one; they must be detached first":
        "{count} RHK tim Anda mengintervensi RHK ini; lepaskan dahulu",
    "You have no direct supervisor to approve the plan; ask HR to set one":
        "Anda tidak memiliki atasan langsung untuk menyetujui SKP; minta BKPSDM menetapkannya",
    "A plan needs at least one main (UTAMA) result target, each with an indicator":
        "SKP memerlukan sedikitnya satu RHK utama, masing-masing dengan indikator",
    "Only the approver of this plan (the direct supervisor) can decide on it":
        "Hanya penyetuju SKP ini (atasan langsung) yang dapat memutuskannya",
    "A newer revision of this plan already exists": "Sudah ada revisi yang lebih baru dari SKP ini",
    "No APPROVED plan of {year} is left to close": "Tidak ada lagi SKP APPROVED tahun {year} yang perlu ditutup",
    "The plan is already {status:code} (it cannot be {done} again)":
        "SKP sudah berstatus {status} (tidak dapat {done} lagi)",
    "Cannot {transition} a plan that is {status:code}":
        "Tidak dapat melakukan {transition} pada SKP berstatus {status}",
    "Cannot {transition} a plan that is {status:code}; allowed now: {allowed}":
        "Tidak dapat melakukan {transition} pada SKP berstatus {status}; yang dapat dilakukan sekarang: {allowed}",
    "The plan is {status:code}: only a DRAFT or RETURNED plan can be edited (an approved plan changes through a "
    "new revision)":
        "SKP berstatus {status}: hanya SKP DRAFT atau RETURNED yang dapat diubah (SKP yang disetujui berubah "
        "melalui revisi baru)",
    "The plan is {status:code}: realisation is reported on an APPROVED plan":
        "SKP berstatus {status}: realisasi dilaporkan pada SKP APPROVED",
    "{field} must not be empty": "{field} tidak boleh kosong",
    "{field} must be at most {max} characters": "{field} maksimal {max} karakter",
    "Give a target value (with a unit) or a target text": "Isi nilai target (dengan satuan) atau target kualitatif",
    "Target value must be a number of at least 0": "Nilai target harus angka paling sedikit 0",
    "Target value is too large": "Nilai target terlalu besar",
    "A target value needs a unit (e.g. dokumen, %, bulan)": "Nilai target memerlukan satuan (mis. dokumen, %, bulan)",
    "Unit must be at most 40 characters": "Satuan maksimal 40 karakter",
    "Target text must be at most 500 characters": "Target kualitatif maksimal 500 karakter",
    "Give a realised value or a narrative": "Isi nilai realisasi atau uraian",
    "Realised value must be a number from 0 to 10^12": "Nilai realisasi harus angka dari 0 sampai 10^12",
    "Narrative must be at most 5000 characters": "Uraian maksimal 5000 karakter",
    "Choose a periodic period of {year}": "Pilih periode periodik tahun {year}",
    "Period {period} is closed": "Periode {period} sudah ditutup",
    "This realisation is already recorded with these values and evidence":
        "Realisasi ini sudah tercatat dengan nilai dan bukti dukung yang sama",
    "You lack the permission to reply to feedback": "Anda tidak memiliki izin untuk membalas umpan balik",
    "Only the employee and his or her supervisors give feedback on this plan":
        "Hanya pegawai dan atasannya yang memberi umpan balik pada SKP ini",
    "At most {count} evidence items": "Paling banyak {count} bukti dukung",
    "Give either url, or fileName + contentType + contentBase64":
        "Isi url, atau fileName + contentType + contentBase64",
    "Evidence links must be http(s) URLs": "Tautan bukti dukung harus URL http(s)",
    "File is larger than {size} MB": "Berkas lebih besar dari {size} MB",
    "File must be 1 byte to {size} MB": "Berkas harus 1 bita sampai {size} MB",
    "contentBase64 is not valid base64": "contentBase64 bukan base64 yang sah",
    "fileName must have 1 to {max} characters": "fileName harus 1 sampai {max} karakter",
    "fileName must not contain control or invisible characters":
        "fileName tidak boleh memuat karakter kontrol atau tak terlihat",
    "Allowed file types: PDF, PNG, JPEG, DOCX, XLSX": "Jenis berkas yang diizinkan: PDF, PNG, JPEG, DOCX, XLSX",
    "The file is not a PDF": "Berkas bukan PDF",
    "The PDF does not end where its structure ends": "PDF tidak berakhir di tempat strukturnya berakhir",
    "The PDF cannot be read": "PDF tidak dapat dibaca",
    "Password-protected or encrypted PDFs are not accepted":
        "PDF yang dilindungi kata sandi atau terenkripsi tidak diterima",
    "A PDF must have 1 to {pages} pages": "PDF harus 1 sampai {pages} halaman",
    "PDFs with scripts or embedded files are not accepted": "PDF dengan skrip atau berkas sisipan tidak diterima",
    "PDFs with scripts or automatic actions are not accepted": "PDF dengan skrip atau aksi otomatis tidak diterima",
    "The PNG does not end where its image ends": "PNG tidak berakhir di tempat gambarnya berakhir",
    "{kind} images may have at most {megapixels} megapixels": "Gambar {kind} maksimal {megapixels} megapiksel",
    "The file is not a complete {kind} image": "Berkas bukan gambar {kind} yang utuh",
    "The file is not {article} {kind} document": "Berkas bukan dokumen {kind}",
    "The {kind} document cannot be read": "Dokumen {kind} tidak dapat dibaca",
    "The {kind} document has more than {count} parts": "Dokumen {kind} memiliki lebih dari {count} bagian",
    "The {kind} document is not a sound package": "Dokumen {kind} bukan paket yang utuh",
    "The {kind} document inflates too much (a zip bomb?)": "Dokumen {kind} mengembang terlalu besar (zip bomb?)",
    "The {kind} document has no [Content_Types].xml": "Dokumen {kind} tidak memiliki [Content_Types].xml",
    "The {kind} document holds a program or macro": "Dokumen {kind} memuat program atau makro",
    "The {kind} document has encrypted or unusually compressed parts":
        "Dokumen {kind} memiliki bagian terenkripsi atau terkompresi tidak lazim",
    "The {kind} document has an unsafe part name": "Dokumen {kind} memiliki nama bagian yang tidak aman",
    # --- evaluations ------------------------------------------------------------------------------
    "Evaluation not found": "Penilaian tidak ditemukan",
    "Only the employee's direct supervisor (or an acting assessor with the permission) evaluates":
        "Hanya atasan langsung pegawai (atau pejabat penilai pengganti yang berwenang) yang menilai",
    "This org unit is outside your reach": "Unit kerja ini di luar jangkauan Anda",
    "The evaluation is FINAL: correct it with a new version and a reason":
        "Penilaian sudah FINAL: koreksi dengan versi baru dan alasan",
    "The draft evaluation already has these ratings and notes": "Draf penilaian sudah memiliki nilai dan catatan ini",
    "The evaluation is {status:code}; it cannot be finalized again":
        "Penilaian berstatus {status}; tidak dapat difinalkan lagi",
    "The evaluation is already corrected by a newer version; correct that one":
        "Penilaian sudah dikoreksi oleh versi yang lebih baru; koreksi versi itu",
    "Only a FINAL evaluation is corrected; this one is {status:code}":
        "Hanya penilaian FINAL yang dikoreksi; penilaian ini berstatus {status}",
    "A login without an employee record cannot be an assessor":
        "Akun tanpa data pegawai tidak dapat menjadi pejabat penilai",
    "An assessor never evaluates himself or herself": "Pejabat penilai tidak pernah menilai dirinya sendiri",
    "Only the employee's direct supervisor, or an acting assessor (Plt/Plh) HR assigned for that supervisor, "
    "evaluates":
        "Hanya atasan langsung pegawai, atau Plt/Plh yang ditugaskan BKPSDM untuk atasan itu, yang menilai",
    "The head of a unit never sets its own rating: the leader of the organisation above it does "
    "(SE MenPANRB 3/2023)":
        "Kepala unit tidak menetapkan capaian kinerja unitnya sendiri: pimpinan organisasi di atasnya yang "
        "menetapkan (SE MenPANRB 3/2023)",
    "A unit's rating is set by the leader of the organisation above it: the head of its parent unit or its head's "
    "direct supervisor (SE MenPANRB 3/2023)":
        "Capaian kinerja unit ditetapkan oleh pimpinan organisasi di atasnya: kepala unit induk atau atasan "
        "langsung kepala unit (SE MenPANRB 3/2023)",
    "A top-level unit's rating is set by its head's direct supervisor or the regional official (tenant-wide "
    "unit_performance:write) (SE MenPANRB 3/2023)":
        "Capaian kinerja perangkat daerah ditetapkan oleh atasan langsung kepalanya atau pejabat daerah "
        "(unit_performance:write seluruh tenant) (SE MenPANRB 3/2023)",
    "For the head of a rated unit the results rating is the unit's achievement (SE MenPANRB 3/2023): leave "
    "resultsRating out":
        "Bagi kepala unit yang sudah dinilai, rating hasil kerja adalah capaian kinerja unit (SE MenPANRB "
        "3/2023): kosongkan resultsRating",
    "The employee has no approved SKP for {year}: evaluation follows an approved plan (PermenPANRB 6/2022), "
    "unless HR waives it with a reason":
        "Pegawai belum memiliki SKP yang disetujui untuk {year}: penilaian mengikuti SKP yang disetujui "
        "(PermenPANRB 6/2022), kecuali BKPSDM mengecualikannya dengan alasan",
    "An official cannot be his or her own acting assessor": "Pejabat tidak dapat menjadi Plt/Plh bagi dirinya sendiri",
    "endsOn must not be before startsOn": "endsOn tidak boleh sebelum startsOn",
    "Only HR (tenant-wide evaluation:write) assigns acting assessors":
        "Hanya BKPSDM (evaluation:write seluruh tenant) yang menugaskan Plt/Plh pejabat penilai",
    "This acting assessor is already assigned for the official in an overlapping period":
        "Plt/Plh ini sudah ditugaskan untuk pejabat tersebut pada periode yang beririsan",
    "Only HR (tenant-wide evaluation:write) waives the approved-SKP requirement":
        "Hanya BKPSDM (evaluation:write seluruh tenant) yang mengecualikan syarat SKP yang disetujui",
    "The approved-SKP requirement is already waived for this employee and year":
        "Syarat SKP yang disetujui sudah dikecualikan untuk pegawai dan tahun ini",
    "Every result target (RHK) needs at least one indicator before the plan is submitted":
        "Setiap RHK memerlukan sedikitnya satu indikator sebelum SKP diajukan",
    "Only a FINAL evaluation is acknowledged or objected to; this one is {status:code}":
        "Hanya penilaian FINAL yang dapat diterima atau diajukan keberatan; penilaian ini berstatus {status}",
    "Only the evaluated employee acknowledges or objects to an evaluation":
        "Hanya pegawai yang dinilai yang dapat menerima atau mengajukan keberatan atas penilaian",
    "The objection period ended {days} days after the evaluation was finalized (PP 30/2019 art. 59)":
        "Jangka waktu keberatan berakhir {days} hari setelah penilaian difinalkan (PP 30/2019 pasal 59)",
    "Only the assessor's superior decides on the objection (PP 30/2019 art. 59)":
        "Hanya atasan pejabat penilai yang memutuskan keberatan (PP 30/2019 pasal 59)",
    "A reason (1-2000 characters) is required for the decision": "Alasan keputusan (1-2000 karakter) wajib diisi",
    "Accepting an objection changes the result: give resultsRating and/or behaviourRating":
        "Menerima keberatan mengubah hasil penilaian: isi resultsRating dan/atau behaviourRating",
    "The evaluation is already acknowledged": "Penilaian sudah diterima",
    "An objection to this evaluation is already filed": "Keberatan atas penilaian ini sudah diajukan",
    "The assessor has no superior to decide an objection; ask HR to set one":
        "Pejabat penilai tidak memiliki atasan untuk memutuskan keberatan; minta BKPSDM menetapkannya",
    "Objection not found": "Keberatan tidak ditemukan",
    "The objection is already {status:code}": "Keberatan sudah berstatus {status}",
    "The evaluation is {status:code} meanwhile; the objection cannot change it":
        "Penilaian kini berstatus {status}; keberatan tidak dapat mengubahnya",
    "Only HR (tenant-wide evaluation:write) issues a PAK":
        "Hanya BKPSDM (evaluation:write seluruh tenant) yang menetapkan PAK",
    "The PAK of this employee and year is already issued": "PAK pegawai ini untuk tahun ini sudah ditetapkan",
    "No angka kredit is booked for this employee and year (a final annual evaluation of a functional position "
    "books it)":
        "Belum ada angka kredit yang tercatat untuk pegawai dan tahun ini (penilaian tahunan final pada jabatan "
        "fungsional mencatatnya)",
    "Only the head of the unit (or HR) sets its performance":
        "Hanya kepala unit (atau BKPSDM) yang menetapkan capaian kinerjanya",
    "The tenant summary needs tenant-wide dashboard access": "Ringkasan tenant memerlukan akses dasbor seluruh tenant",
    "The unit performance of this period is already {rating:code}":
        "Capaian kinerja unit pada periode ini sudah {rating}",
    "resultsRating is required": "resultsRating wajib diisi",
    "A reason (1-2000 characters) is required": "Alasan (1-2000 karakter) wajib diisi",
    "Notes must be at most 2000 characters": "Catatan maksimal 2000 karakter",
    "Note on {value:code} must be 1-1000 characters": "Catatan untuk {value} harus 1-1000 karakter",
    # --- training ---------------------------------------------------------------------------------
    "PPPK competency development is at most {cap} JP in a contract year (PP 49/2018 art. 40(1)): {used} JP of the "
    "contract year from {starts_on} to {ends_on} are taken":
        "Pengembangan kompetensi PPPK paling lama {cap} JP dalam 1 tahun masa perjanjian kerja (PP 49/2018 pasal "
        "40 ayat 1): {used} JP pada masa perjanjian kerja {starts_on} sampai {ends_on} sudah terpakai",
    "Attendance is confirmed on or after the first day of the event":
        "Kehadiran dikonfirmasi pada atau setelah hari pertama kegiatan",

    "Training record not found": "Riwayat pelatihan tidak ditemukan",
    "The training record is already {status:code}": "Riwayat pelatihan sudah berstatus {status}",
    "Cannot {move} a training record that is {status:code}":
        "Tidak dapat melakukan {move} pada riwayat pelatihan berstatus {status}",
    "Title must be 1-300 characters": "Judul harus 1-300 karakter",
    "Organiser must be at most 300 characters": "Penyelenggara maksimal 300 karakter",
    "The end date is before the start date": "Tanggal selesai sebelum tanggal mulai",
    "The start date must be between 2000 and 2100": "Tanggal mulai harus antara tahun 2000 dan 2100",
    "JP must be a whole number from 1 to {max}": "JP harus bilangan bulat dari 1 sampai {max}",
    "A training lasts at most five years": "Pelatihan berlangsung paling lama lima tahun",
    "Only the employee completes his or her own record": "Hanya pegawai yang bersangkutan yang menyelesaikan riwayatnya",
    "Nobody verifies his or her own training record": "Tidak seorang pun memverifikasi riwayat pelatihannya sendiri",
    "Training event not found": "Kegiatan pelatihan tidak ditemukan",
    "The event is over": "Kegiatan sudah berakhir",
    "You are already registered": "Anda sudah terdaftar",
    "The event is full ({capacity} places)": "Kegiatan sudah penuh ({capacity} tempat)",
    "No such registration": "Pendaftaran tidak ditemukan",
    "Attendance is already confirmed": "Kehadiran sudah dikonfirmasi",
    "Nobody confirms his or her own attendance": "Tidak seorang pun mengonfirmasi kehadirannya sendiri",
    "{trigger} already recommends exactly these topics": "{trigger} sudah merekomendasikan tepat topik-topik ini",
    "At most 100 characters": "Maksimal 100 karakter",
    "Topic must be 1-100 characters": "Topik harus 1-100 karakter",
    "Capacity must be 1 to 10000": "Kapasitas harus 1 sampai 10000",
    "Trigger is PREDICATE:<predicate>, BEHAVIOUR:<BerAKHLAK value> or JP_SHORTFALL":
        "Pemicu berupa PREDICATE:<predikat>, BEHAVIOUR:<nilai BerAKHLAK> atau JP_SHORTFALL",
    "At most 20 topics of at most 100 characters": "Paling banyak 20 topik, masing-masing maksimal 100 karakter",
    # --- citizen feedback and the IKM -------------------------------------------------------------
    "Unknown service": "Layanan tidak dikenal",
    "Unknown ticket code": "Kode tiket tidak dikenal",
    "Feedback not found": "Pengaduan atau masukan tidak ditemukan",
    "Service unit not found": "Unit layanan tidak ditemukan",
    "This service unit is outside your reach": "Unit layanan ini di luar jangkauan Anda",
    "The service unit already has this name and org unit": "Unit layanan sudah memiliki nama dan unit kerja ini",
    "Give exactly nine scores, one per element (got {count})":
        "Berikan tepat sembilan nilai, satu per unsur (diterima {count})",
    "{element}: score must be 1, 2, 3 or 4": "{element}: nilai harus 1, 2, 3 atau 4",
    "This response was already received today": "Jawaban ini sudah diterima hari ini",
    "The same message was already received today": "Pesan yang sama sudah diterima hari ini",
    "Write a message": "Tulis pesan",
    "The message is longer than {max} characters": "Pesan lebih panjang dari {max} karakter",
    "Contact must be at most {max} characters": "Kontak maksimal {max} karakter",
    "1 to {max} characters": "1 sampai {max} karakter",
    "At most {max} characters": "Maksimal {max} karakter",
    "{field} must be 1-{max} characters": "{field} harus 1-{max} karakter",
    "The ticket is {status:code}; it cannot go back to {target:code}":
        "Tiket berstatus {status}; tidak dapat kembali ke {target}",
    "Answer the citizen (publicAnswer) before marking the ticket answered":
        "Jawab masyarakat (publicAnswer) sebelum menandai tiket terjawab",
    "Assigning feedback needs unit or tenant scope": "Menugaskan pengaduan memerlukan lingkup unit atau tenant",
    "A ticket is assigned only to an employee of its service unit's org unit or of a unit above it":
        "Tiket hanya dapat ditugaskan kepada pegawai unit kerja penyelenggara layanannya atau unit di atasnya",
    "The ticket is already assigned to this employee": "Tiket sudah ditugaskan kepada pegawai ini",
    "'to' is before 'from'": "'to' sebelum 'from'",
    "At most 2000 characters": "Maksimal 2000 karakter",
    # --- organisation performance: goals, IKU, performance agreements -------------------------------
    "Only a tenant-wide IKU manager sets the regional goals":
        "Hanya pengelola IKU tingkat pemerintah daerah yang menetapkan tujuan dan sasaran daerah",
    "At most 20 indicators":
        "Maksimal 20 indikator",
    "An indicator needs a name of 1 to 300 characters and a unit of at most 200":
        "Indikator memerlukan nama 1 sampai 300 karakter dan satuan maksimal 200 karakter",
    "The code must be 1 to 50 characters":
        "Kode harus 1 sampai 50 karakter",
    "The name must be 1 to 500 characters":
        "Nama harus 1 sampai 500 karakter",
    "The name must be 1 to 300 characters":
        "Nama harus 1 sampai 300 karakter",
    "The span must run forward and at most 10 years":
        "Rentang tahun harus maju dan paling lama 10 tahun",
    "A sasaran serves a tujuan; a tujuan has no parent":
        "Sasaran mendukung sebuah tujuan; tujuan tidak memiliki induk",
    "Strategic goal not found":
        "Tujuan atau sasaran tidak ditemukan",
    "A sasaran serves a tujuan":
        "Sasaran mendukung sebuah tujuan",
    "A sasaran lies within the span of its tujuan":
        "Rentang sasaran harus berada dalam rentang tujuannya",
    "A goal with this code already exists for this span":
        "Tujuan atau sasaran dengan kode ini sudah ada untuk rentang ini",
    "The level of a goal cannot change":
        "Tingkat tujuan atau sasaran tidak dapat diubah",
    "The span must cover the spans of its sasaran":
        "Rentang harus mencakup rentang sasarannya",
    "An IKU serves a sasaran whose span holds the IKU's year":
        "IKU mendukung sasaran yang rentangnya mencakup tahun IKU",
    "The unit already has an IKU of this name in this year":
        "Unit sudah memiliki IKU dengan nama ini pada tahun ini",
    "Unit indicator not found":
        "IKU tidak ditemukan",
    "This unit indicator is outside your reach":
        "IKU ini di luar jangkauan Anda",
    "The year's target needs a value":
        "Target tahunan memerlukan nilai",
    "The period must be a periodic period of the IKU's year":
        "Periode harus periode berkala pada tahun IKU",
    "At most 200 characters":
        "Maksimal 200 karakter",
    "The value is out of range":
        "Nilai di luar rentang yang diizinkan",
    "The year must be between 2000 and 2100":
        "Tahun harus antara 2000 dan 2100",
    "The unit has no head to sign its performance agreement":
        "Unit tidak memiliki kepala yang menandatangani perjanjian kinerjanya",
    "Only the head of the unit signs as the first party":
        "Hanya kepala unit yang menandatangani sebagai pihak pertama",
    "The performance agreement is already signed by the head (status {status:code})":
        "Perjanjian kinerja sudah ditandatangani oleh kepala unit (status {status})",
    "Every IKU of the unit and year needs a target before signing":
        "Setiap IKU unit pada tahun ini memerlukan target sebelum ditandatangani",
    "Only the superior of the unit's head signs as the second party":
        "Hanya atasan kepala unit yang menandatangani sebagai pihak kedua",
    "The head signs the performance agreement first":
        "Kepala unit menandatangani perjanjian kinerja lebih dahulu",
    "The performance agreement is already signed by the superior (status {status:code})":
        "Perjanjian kinerja sudah ditandatangani oleh atasan (status {status})",
    "A reason of 1 to 2000 characters is needed":
        "Diperlukan alasan 1 sampai 2000 karakter",
    "Only the head of the unit revises its performance agreement":
        "Hanya kepala unit yang merevisi perjanjian kinerjanya",
    "Only a signed performance agreement can be revised (it is {state:code})":
        "Hanya perjanjian kinerja yang sudah ditandatangani yang dapat direvisi (statusnya {state})",
    "The performance agreement of the year is signed: revise it before changing its targets":
        "Perjanjian kinerja tahun ini sudah ditandatangani: revisi dahulu sebelum mengubah targetnya",
    "A sasaran, a name and a kind are needed":
        "Sasaran, nama dan jenis diperlukan",
    "Evidence is a link or a file":
        "Bukti dukung berupa tautan atau berkas",
    "At most 4000 characters":
        "Maksimal 4000 karakter",
    "This realisation is already recorded":
        "Realisasi ini sudah tercatat",
    "The IKU belongs to another year than the plan":
        "IKU tersebut milik tahun yang berbeda dengan SKP",
    "Only the head of the IKU's unit links an RHK to it":
        "Hanya kepala unit pemilik IKU yang dapat menautkan RHK kepadanya",
    "Every main (UTAMA) result target of a unit head names the IKU it intervenes":
        "Setiap RHK utama kepala unit harus menyebutkan IKU yang diintervensinya",
    "Only a public satisfaction IKU takes its realisation from the IKM":
        "Hanya IKU kepuasan masyarakat yang mengambil realisasinya dari IKM",
    "Give a value, or take it from the IKM":
        "Isi nilai, atau ambil dari IKM",
    "The unit has no IKM in this period (no survey responses of its service units)":
        "Unit tidak memiliki IKM pada periode ini (belum ada tanggapan survei untuk unit layanannya)",
    "Name the IKU or the sasaran, not both":
        "Sebutkan IKU atau sasaran, tidak keduanya",
    "The sasaran's span does not hold the plan's year":
        "Rentang sasaran tidak mencakup tahun SKP",
    "Only a unit head links an RHK to a sasaran":
        "Hanya kepala unit yang dapat menautkan RHK ke sasaran",
    "Performance agreement not found":
        "Perjanjian kinerja tidak ditemukan",
    # --- audit --------------------------------------------------------------------------------------
    "objectId is neither a global id nor a UUID": "objectId bukan id global maupun UUID",
    # --- survey counters, follow-up plans, transport parameters ---------------------------------------
    "The GraphQL operation's `{name}` must be an object or null, if provided.":
        "`{name}` dari operasi GraphQL harus berupa objek atau null, jika dikirim.",
    "The service unit already has an active kiosk of this name":
        "Unit layanan sudah memiliki kios aktif dengan nama ini",
    "Kiosk not found": "Kios tidak ditemukan",
    # --- notifications ------------------------------------------------------------------------------
    "Name the notifications to mark, or ask for all": "Sebutkan notifikasi yang ditandai, atau minta semuanya",
    "The notifications are already read": "Notifikasi tersebut sudah dibaca",
    "Unknown notification kind": "Jenis notifikasi tidak dikenal",
    "Notification not found": "Notifikasi tidak ditemukan",
    "The preference is already so": "Preferensi sudah demikian",
    "The mail address is not valid": "Alamat surel tidak sah",
    "The mail address is already so": "Alamat surel sudah demikian",
    "The kiosk is already revoked": "Kios sudah dicabut",
    "Service not found": "Layanan tidak ditemukan",
    "Survey code batch not found": "Kelompok kode survei tidak ditemukan",
    "name must be 1-200 characters": "name harus 1-200 karakter",
    "count must be 1 to {limit}": "count harus 1 sampai {limit}",
    "Follow-up plan not found": "Rencana tindak lanjut tidak ditemukan",
    "No survey responses of {year} to suggest a plan from: give the actions":
        "Tidak ada jawaban survei tahun {year} untuk menyusun usulan rencana: isikan tindakannya",
    "The plan already has these actions": "Rencana sudah memuat tindakan-tindakan ini",
    "At most 20 actions": "Paling banyak 20 tindakan",
    "Position not found": "Jabatan tidak ditemukan",
    "due date out of range": "tanggal tenggat di luar rentang",
    "The ticket is {status:code}; a reply is possible once it is answered and until it is closed":
        "Tiket berstatus {status}; balasan dapat dikirim setelah tiket dijawab dan sebelum ditutup",
    "element must be 1 to 9": "element harus 1 sampai 9",
    "Unknown or revoked kiosk": "Kios tidak dikenal atau sudah dicabut",
    "Unknown survey code": "Kode survei tidak dikenal",
    "This survey code was already used": "Kode survei ini sudah dipakai",
    "The service unit already has this name, org unit and population":
        "Unit layanan sudah memiliki nama, unit organisasi, dan populasi ini",
    "Send a kiosk token or a survey code, not both": "Kirim token kios atau kode survei, tidak keduanya",
    "population must be 1 to 100000000": "population harus 1 sampai 100000000",
    "This code belongs to another service": "Kode ini milik layanan lain",
    # --- employees, org structure and tenant settings (administration) -------------------------------
    "At most 500 characters": "Maksimal 500 karakter",
    "The org unit is closed": "Unit kerja sudah ditutup",
    "Supervisor not found": "Atasan tidak ditemukan",
    "The supervisor is no longer active": "Atasan sudah tidak aktif",
    "An employee cannot be their own supervisor": "Pegawai tidak dapat menjadi atasannya sendiri",
    "The supervisor chosen reports to this employee: the supervisor chain would be a loop":
        "Atasan yang dipilih adalah bawahan pegawai ini: rantai atasan akan berputar",
    "The employee is no longer active": "Pegawai sudah tidak aktif",
    "The employee already has this unit, position and supervisor":
        "Pegawai sudah berada di unit, jabatan, dan atasan ini",
    "Only PPPK employees have a contract": "Hanya pegawai PPPK yang memiliki perjanjian kerja",
    "An employee with this NIP already exists": "Pegawai dengan NIP ini sudah ada",
    "The employee still supervises active employees: give them another supervisor first":
        "Pegawai masih menjadi atasan pegawai aktif: tetapkan atasan lain bagi mereka terlebih dahulu",
    "The exit must take effect after the current assignment began":
        "Pemberhentian harus berlaku setelah penugasan saat ini dimulai",
    "A new org unit needs a kind": "Unit kerja baru memerlukan jenis",
    "A new org unit needs a code": "Unit kerja baru memerlukan kode",
    "An org unit cannot move under itself or one of its sub-units":
        "Unit kerja tidak dapat dipindahkan ke bawah dirinya sendiri atau sub-unitnya",
    "An org unit with this code already exists": "Unit kerja dengan kode ini sudah ada",
    "The org unit still has active employees: transfer them first":
        "Unit kerja masih memiliki pegawai aktif: mutasikan mereka terlebih dahulu",
    "The org unit has open sub-units: close or move them first":
        "Unit kerja masih memiliki sub-unit yang terbuka: tutup atau pindahkan terlebih dahulu",
    "A position with this name already exists": "Jabatan dengan nama ini sudah ada",
    "Tenant not found": "Tenant tidak ditemukan",
    "The date must be between 1900 and 2100": "Tanggal harus antara tahun 1900 dan 2100",
    "The tenant file lists this org unit: change it there and run `kinerja tenants apply`":
        "Unit kerja ini tercantum dalam berkas tenant: ubah di sana lalu jalankan `kinerja tenants apply`",
    "The tenant file lists this position: change it there and run `kinerja tenants apply`":
        "Jabatan ini tercantum dalam berkas tenant: ubah di sana lalu jalankan `kinerja tenants apply`",
    "Give at least one setting to change": "Berikan paling sedikit satu pengaturan yang diubah",
    "This setting is set by the tenant file: change it there and run `kinerja tenants apply`":
        "Pengaturan ini ditetapkan oleh berkas tenant: ubah di sana lalu jalankan `kinerja tenants apply`",
    "allowedOrigins: each must be an origin scheme://host[:port] in lowercase, http or https":
        "allowedOrigins: setiap origin harus berbentuk scheme://host[:port] dalam huruf kecil, http atau https",
    "{field} must be one of {allowed}": "{field} harus salah satu dari {allowed}",
    "{field} must be a whole number from 0 to 500": "{field} harus bilangan bulat dari 0 sampai 500",
    "{field} must be a whole number from 1 to 1000000": "{field} harus bilangan bulat dari 1 sampai 1000000",
    "{field} must be a number from 1 to 4": "{field} harus angka dari 1 sampai 4",
    "{field} must be true or false": "{field} harus true atau false",
    "{field} must be an http(s) address of at most 300 characters":
        "{field} harus alamat http(s) paling banyak 300 karakter",
    "timezone must be a time zone name": "timezone harus nama zona waktu",
    "{field} must be a list of at most {max} origins": "{field} harus daftar paling banyak {max} origin",
    "{field} lists an origin twice": "{field} mencantumkan satu origin dua kali",
    "The year already follows this period scheme": "Tahun ini sudah mengikuti skema periode ini",
    "Periods this scheme would remove already hold realisations or evaluations":
        "Periode yang akan dihapus oleh skema ini sudah memiliki realisasi atau penilaian",
    "only functional (FUNGSIONAL) positions have a jenjang": "hanya jabatan fungsional (FUNGSIONAL) yang memiliki jenjang",
    "The transfer must take effect after the current assignment began":
        "Mutasi harus berlaku setelah penugasan saat ini dimulai",
}

_PLACEHOLDER = re.compile(r"\{(\w+)(?::(\w+))?\}")
_KINDS = {None: ".+?", "code": "[A-Z][A-Z0-9_]*"}


def normalised(template: str) -> str:
    """A template with its placeholders unnamed (`{}`), as a scan of the code spells messages."""
    return _PLACEHOLDER.sub("{}", template)


def _pattern(template: str) -> re.Pattern:
    parts, last = [], 0
    for found in _PLACEHOLDER.finditer(template):
        parts.append(re.escape(template[last:found.start()]))
        parts.append(f"(?P<{found.group(1)}>{_KINDS[found.group(2)]})")
        last = found.end()
    parts.append(re.escape(template[last:]))
    return re.compile("".join(parts) + r"\Z", re.DOTALL)


@functools.cache
def _templates() -> tuple[tuple[re.Pattern, str], ...]:
    # Longer templates first: the more specific one of two that match wins.
    with_parts = [key for key in CATALOGUE if _PLACEHOLDER.search(key)]
    return tuple((_pattern(key), CATALOGUE[key]) for key in sorted(with_parts, key=len, reverse=True))


# graphql-core's hints ("Did you mean 'username'?"), after a message, where introspection is on.
_SUGGESTION = re.compile(r"^(.*?)\s*Did you mean (.+)\?\Z", re.DOTALL)


def indonesian(message: str) -> str | None:
    """The Indonesian text of an English message, or None when the catalogue does not know it."""
    hinted = _SUGGESTION.match(message)
    if hinted:
        text = indonesian(hinted.group(1))
        return None if text is None else f"{text} Mungkin maksud Anda {hinted.group(2).replace(' or ', ' atau ')}?"
    if message in CATALOGUE:
        return CATALOGUE[message]
    for pattern, text in _templates():
        found = pattern.match(message)
        if found:
            return text.format(**{name: indonesian(value) or value for name, value in found.groupdict().items()})
    return None


def translate(message: str, lang: str | None = None) -> str:
    """The message in the given language (by default the request's); English as it is."""
    if (lang or language.get()) != INDONESIAN:
        return message
    return indonesian(message) or message
