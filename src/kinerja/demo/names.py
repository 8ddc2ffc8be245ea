"""Name parts for generated demo employees."""

# By the gender the NIP records (its 15th digit: 1 laki-laki, 2 perempuan); names used by both are in both.
UNISEX_FIRST = ["Eka", "Nur", "Dian", "Nanda", "Purnama"]
MALE_FIRST = [
    "Agus", "Budi", "Hendra", "Joko", "Muhammad", "Rahmat", "Taufik", "Wahyu", "Yusuf", "Zainal", "Ahmad",
    "Bambang", "Fajar", "Hadi", "Irwan", "Rizky", "Teguh", "Andi", *UNISEX_FIRST,
]
FEMALE_FIRST = [
    "Dewi", "Fitri", "Indah", "Kartika", "Lestari", "Putri", "Rina", "Siti", "Ayu", "Citra", "Endang", "Gita",
    "Lina", "Maya", "Oktaviani", "Sri", "Utami", "Vina", "Wulan", "Yanti", "Sari", *UNISEX_FIRST,
]
FAMILY = [  # family and clan names, for anyone
    "Lubis", "Nasution", "Siregar", "Harahap", "Hasibuan", "Simanjuntak", "Wijaya", "Santoso", "Marpaung",
    "Tanjung", "Sembiring", "Ginting", "Batubara", "Chaniago", "Piliang", "Koto", "Tambunan", "Damanik", "Purba",
]
MALE_LAST = [*FAMILY, "Saputra", "Pratama", "Kurniawan", "Hidayat", "Setiawan", "Permana", "Gunawan", "Putra",
             "Syahputra", "Firmansyah", "Ramadhan"]
FEMALE_LAST = [*FAMILY, "Rahmawati", "Susanti", "Handayani", "Maharani", "Anggraini", "Lestari", "Wulandari"]
FIRST = {"1": MALE_FIRST, "2": FEMALE_FIRST}  # by the NIP's gender digit
LAST = {"1": MALE_LAST, "2": FEMALE_LAST}
TITLES_BEFORE = ["", "", "", "", "dr. ", "Ir. ", "Drs. "]
TITLES_AFTER = ["", "", ", S.Kom", ", S.E.", ", S.H.", ", S.Sos", ", M.Si", ", S.Pd", ", A.Md", ", S.Kep", ", M.M."]
