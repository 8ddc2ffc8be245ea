// The console's words: Bahasa Indonesia by default, English on request (kept in localStorage).
// Messages the server writes (userErrors, errors) come in the same language through Accept-Language.
const WORDS = {
  id: {
    title: 'Konsol admin', signIn: 'Masuk', signOut: 'Keluar', tenant: 'Tenant (slug)', username: 'Nama pengguna',
    password: 'Kata sandi', loading: 'Memuat…', save: 'Simpan', cancel: 'Batal', search: 'Cari', more: 'Muat lagi',
    yes: 'Ya', no: 'Tidak', none: '—', saved: 'Tersimpan.', language: 'Bahasa', signedInAs: 'Masuk sebagai',
    sessionEnded: 'Sesi berakhir; silakan masuk lagi.', networkError: 'Server tidak dapat dihubungi.',
    home: 'Beranda', welcome: 'Selamat datang di konsol admin {tenant}.',
    noAdmin: 'Akun Anda tidak memiliki tugas administrasi di konsol ini.',
    available: 'Menu yang tersedia untuk Anda:',
    roles: 'Peran', users: 'Pengguna', org: 'Struktur organisasi', employees: 'Pegawai', periods: 'Periode',
    settings: 'Pengaturan tenant', audit: 'Jejak audit',
    newRole: 'Peran baru', roleName: 'Nama peran', description: 'Deskripsi', builtIn: 'bawaan',
    builtInNote: 'Peran bawaan mengikuti templat platform dan tidak dapat diubah di sini.',
    permission: 'Izin', own: 'Sendiri', team: 'Tim', unit: 'Unit', tenantScope: 'Tenant',
    active: 'Aktif', inactive: 'Nonaktif', roleList: 'Peran', employee: 'Pegawai', status: 'Status',
    assign: 'Berikan', revoke: 'Cabut', deactivate: 'Nonaktifkan', reactivate: 'Aktifkan kembali',
    resetPassword: 'Atur ulang kata sandi', oneTimeCode: 'Kode sekali pakai (tampil sekali): {code}',
    newUser: 'Pengguna baru', create: 'Buat', employeeSearch: 'NIP atau nama pegawai', noEmployee: '(tanpa pegawai)',
    confirmDeactivate: 'Nonaktifkan {name}? Sesinya berakhir seketika.',
    code: 'Kode', name: 'Nama', kind: 'Jenis', head: 'Kepala',
    nip: 'NIP', position: 'Jabatan', orgUnit: 'Unit kerja', allUnits: 'Semua unit', type: 'Status kepegawaian',
    transfer: 'Mutasi', transferTo: 'Pindah ke unit', effectiveOn: 'Berlaku mulai', transferred: 'Mutasi tersimpan.',
    importCsv: 'Impor CSV pegawai', csvFile: 'Berkas CSV', dryRun: 'Periksa (uji coba)', commit: 'Terapkan semua',
    importReport: 'Laporan per baris', row: 'Baris', result: 'Hasil', ok: 'OK', importDone: 'Impor diterapkan: {count} baris.',
    importHasErrors: 'Ada baris yang salah; perbaiki berkasnya lalu periksa lagi. Tidak ada yang disimpan.',
    year: 'Tahun', period: 'Periode', starts: 'Mulai', ends: 'Selesai', closed: 'Ditutup', open: 'Terbuka',
    close: 'Tutup', reopen: 'Buka kembali', scheme: 'Skema periode', saveScheme: 'Simpan skema',
    when: 'Waktu', operation: 'Operasi', objectType: 'Jenis objek', actor: 'Pelaku', changes: 'Perubahan',
    from: 'Dari', to: 'Sampai', filter: 'Saring', field: 'Kolom', before: 'Sebelum', after: 'Sesudah',
    settingsNote: 'Kunci yang dimiliki berkas tenant operator tidak dapat diubah di sini.',
    forbidden: 'Anda tidak berhak membuka layar ini.',
    codeMailed: 'Kode sekali pakai telah dikirim lewat surel.',
    newEmployee: 'Pegawai baru', leave: 'Berhenti', reason: 'Alasan', employeeLeft: 'Pegawai dicatat berhenti.',
    exit_RETIRED: 'Pensiun', exit_RESIGNED: 'Mengundurkan diri', exit_DECEASED: 'Meninggal dunia',
    exit_DISMISSED: 'Diberhentikan', exit_TRANSFERRED_OUT: 'Pindah ke instansi lain', exit_CONTRACT_ENDED: 'Kontrak berakhir',
    account: 'Akun saya', sessions: 'Sesi masuk', signedInAt: 'Masuk pada', lastUsed: 'Terakhir dipakai', device: 'Peramban',
    thisSession: 'sesi ini', endSession: 'Akhiri', sessionRevoked: 'Sesi diakhiri.', changePassword: 'Ganti kata sandi',
    currentPassword: 'Kata sandi sekarang', newPassword: 'Kata sandi baru',
    passwordChanged: 'Kata sandi diganti; sesi lain telah berakhir.',
    pickUnit: 'Pilih kode sebuah unit untuk mengubah, memindahkan atau menutupnya.', newUnit: 'Unit baru', parentUnit: 'Unit induk', topLevel: '(tingkat teratas)', closedOn: 'Ditutup mulai',
    closeUnit: 'Tutup unit', unitClosed: 'Unit ditutup.',
    schemeSaved: 'Skema periode tahun {year} tersimpan.',
    ownedByFile: 'diatur berkas tenant',
    s_periodScheme: 'Skema periode',
    s_jpTargetPns: 'Target JP PNS per tahun',
    s_jpTargetPppk: 'Batas JP PPPK per tahun kontrak',
    s_ikmWeighting: 'Pembobotan IKM',
    s_timezone: 'Zona waktu',
    s_ticketSlaDays: 'Batas hari tanggapan pengaduan',
    s_rateWindowSeconds: 'Jendela batas layanan publik (detik)',
    s_surveyPerIp: 'Survei per IP',
    s_feedbackPerIp: 'Pengaduan per IP',
    s_publicPerTenant: 'Operasi publik per tenant',
    s_kioskPerMinute: 'Jawaban kios per menit',
    s_kioskBurstIdentical: 'Jawaban kios identik (lonjakan)',
    s_kioskBurstMinutes: 'Menit lonjakan kios',
    s_followUpNrrThreshold: 'Ambang NRR rencana tindak lanjut',
    s_publicStaffNames: 'Nama petugas tampil untuk publik',
    s_surveyPageUrl: 'Alamat halaman survei',
    s_allowedOrigins: 'Origin yang diizinkan (satu per baris)',
    s_persistedDocumentsOnly: 'Hanya dokumen terdaftar',
    s_evaluationRequiresApprovedPlan: 'Penilaian memerlukan SKP disetujui',
    s_objectionDays: 'Batas hari keberatan',
    s_requireIkuLink: 'RHK utama kepala unit wajib menyebut IKU',
  },
  en: {
    title: 'Admin console', signIn: 'Sign in', signOut: 'Sign out', tenant: 'Tenant (slug)', username: 'Username',
    password: 'Password', loading: 'Loading…', save: 'Save', cancel: 'Cancel', search: 'Search', more: 'Load more',
    yes: 'Yes', no: 'No', none: '—', saved: 'Saved.', language: 'Language', signedInAs: 'Signed in as',
    sessionEnded: 'Your session ended; please sign in again.', networkError: 'The server cannot be reached.',
    home: 'Home', welcome: 'Welcome to the admin console of {tenant}.',
    noAdmin: 'Your account has no administrative tasks in this console.',
    available: 'Screens available to you:',
    roles: 'Roles', users: 'Users', org: 'Organisation', employees: 'Employees', periods: 'Periods',
    settings: 'Tenant settings', audit: 'Audit log',
    newRole: 'New role', roleName: 'Role name', description: 'Description', builtIn: 'built-in',
    builtInNote: 'Built-in roles follow the platform template and cannot be changed here.',
    permission: 'Permission', own: 'Own', team: 'Team', unit: 'Unit', tenantScope: 'Tenant',
    active: 'Active', inactive: 'Inactive', roleList: 'Roles', employee: 'Employee', status: 'Status',
    assign: 'Assign', revoke: 'Revoke', deactivate: 'Deactivate', reactivate: 'Reactivate',
    resetPassword: 'Reset password', oneTimeCode: 'One-time code (shown once): {code}',
    newUser: 'New user', create: 'Create', employeeSearch: 'Employee NIP or name', noEmployee: '(no employee)',
    confirmDeactivate: 'Deactivate {name}? Their sessions end at once.',
    code: 'Code', name: 'Name', kind: 'Kind', head: 'Head',
    nip: 'NIP', position: 'Position', orgUnit: 'Org unit', allUnits: 'All units', type: 'Employment type',
    transfer: 'Transfer', transferTo: 'Move to unit', effectiveOn: 'Effective on', transferred: 'Transfer saved.',
    importCsv: 'Import employees (CSV)', csvFile: 'CSV file', dryRun: 'Check (dry run)', commit: 'Commit all',
    importReport: 'Report per row', row: 'Row', result: 'Result', ok: 'OK', importDone: 'Import committed: {count} rows.',
    importHasErrors: 'Some rows are wrong; fix the file and check again. Nothing was saved.',
    year: 'Year', period: 'Period', starts: 'Starts', ends: 'Ends', closed: 'Closed', open: 'Open',
    close: 'Close', reopen: 'Reopen', scheme: 'Period scheme', saveScheme: 'Save scheme',
    when: 'When', operation: 'Operation', objectType: 'Object type', actor: 'Actor', changes: 'Changes',
    from: 'From', to: 'To', filter: 'Filter', field: 'Field', before: 'Before', after: 'After',
    settingsNote: "Keys owned by the operator's tenant file cannot be changed here.",
    forbidden: 'You may not open this screen.',
    codeMailed: 'The one-time code was mailed.',
    newEmployee: 'New employee', leave: 'Leaves', reason: 'Reason', employeeLeft: 'The employee is recorded as left.',
    exit_RETIRED: 'Retired', exit_RESIGNED: 'Resigned', exit_DECEASED: 'Deceased',
    exit_DISMISSED: 'Dismissed', exit_TRANSFERRED_OUT: 'Moved to another agency', exit_CONTRACT_ENDED: 'Contract ended',
    account: 'My account', sessions: 'Sessions', signedInAt: 'Signed in', lastUsed: 'Last used', device: 'Browser',
    thisSession: 'this session', endSession: 'End', sessionRevoked: 'Session ended.', changePassword: 'Change password',
    currentPassword: 'Current password', newPassword: 'New password',
    passwordChanged: 'Password changed; your other sessions have ended.',
    pickUnit: 'Pick a unit by its code to rename, move or close it.', newUnit: 'New unit', parentUnit: 'Parent unit', topLevel: '(top level)', closedOn: 'Closed from',
    closeUnit: 'Close unit', unitClosed: 'Unit closed.',
    schemeSaved: 'Period scheme of {year} saved.',
    ownedByFile: 'owned by the tenant file',
    s_periodScheme: 'Period scheme',
    s_jpTargetPns: 'Yearly JP target (PNS)',
    s_jpTargetPppk: 'JP cap per contract year (PPPK)',
    s_ikmWeighting: 'IKM weighting',
    s_timezone: 'Time zone',
    s_ticketSlaDays: 'Days to answer a ticket',
    s_rateWindowSeconds: 'Public rate window (seconds)',
    s_surveyPerIp: 'Surveys per IP',
    s_feedbackPerIp: 'Feedback per IP',
    s_publicPerTenant: 'Public operations per tenant',
    s_kioskPerMinute: 'Kiosk answers per minute',
    s_kioskBurstIdentical: 'Identical kiosk answers (burst)',
    s_kioskBurstMinutes: 'Kiosk burst minutes',
    s_followUpNrrThreshold: 'NRR threshold of follow-up plans',
    s_publicStaffNames: 'Show staff names to the public',
    s_surveyPageUrl: 'Survey page URL',
    s_allowedOrigins: 'Allowed origins (one a line)',
    s_persistedDocumentsOnly: 'Persisted documents only',
    s_evaluationRequiresApprovedPlan: 'Evaluation needs an approved SKP',
    s_objectionDays: 'Days to file an objection',
    s_requireIkuLink: "A unit head's main RHK names its IKU",
  },
};

const STORE = 'kinerja.console.lang';
let current = WORDS[localStorage.getItem(STORE)] ? localStorage.getItem(STORE) : 'id';

export const languages = Object.keys(WORDS);

export function lang() {
  return current;
}

export function setLang(code) {
  current = WORDS[code] ? code : 'id';
  localStorage.setItem(STORE, current);
  document.documentElement.lang = current;
}

export function t(key, params = {}) {
  const text = WORDS[current][key] ?? WORDS.id[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(params[name] ?? ''));
}

// A moment as the reader's language writes it (the API sends UTC with its offset).
export function moment(value) {
  return new Date(value).toLocaleString(current === 'id' ? 'id-ID' : 'en-GB');
}
