"""Name parts for generated demo employees."""

FIRST = [
    "Agus", "Budi", "Dewi", "Eka", "Fitri", "Hendra", "Indah", "Joko", "Kartika", "Lestari", "Muhammad",
    "Nur", "Putri", "Rahmat", "Rina", "Siti", "Taufik", "Wahyu", "Yusuf", "Zainal", "Ahmad", "Ayu",
    "Bambang", "Citra", "Dian", "Endang", "Fajar", "Gita", "Hadi", "Irwan", "Lina", "Maya", "Nanda",
    "Oktaviani", "Purnama", "Rizky", "Sri", "Teguh", "Utami", "Vina", "Wulan", "Yanti", "Andi", "Sari",
]
LAST = [
    "Saputra", "Lubis", "Nasution", "Siregar", "Harahap", "Hasibuan", "Simanjuntak", "Pratama", "Wijaya",
    "Kurniawan", "Hidayat", "Setiawan", "Santoso", "Rahmawati", "Susanti", "Permana", "Gunawan", "Putra",
    "Syahputra", "Handayani", "Marpaung", "Tanjung", "Sembiring", "Ginting", "Batubara", "Chaniago",
    "Piliang", "Koto", "Tambunan", "Damanik", "Purba", "Maharani", "Firmansyah", "Ramadhan", "Anggraini",
]
TITLES_BEFORE = ["", "", "", "", "dr. ", "Ir. ", "Drs. "]
TITLES_AFTER = ["", "", ", S.Kom", ", S.E.", ", S.H.", ", S.Sos", ", M.Si", ", S.Pd", ", A.Md", ", S.Kep", ", M.M."]
