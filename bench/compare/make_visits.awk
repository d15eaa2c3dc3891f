# make_visits.awk: a deterministic synthetic visits CSV for `cirrus score --input`.
#
#   gawk -v rows=1000000 -v seed=20240611 -f bench/compare/make_visits.awk > visits.csv
#
# One row per visit, four visits per patient (baseline, 3, 6, 12 months):
# three pass-through columns (patient_id, visit_date, site), the 13 inputs
# cirrus requires, and the optional aetiology. Sex, age, site and aetiology
# belong to the patient; labs follow one latent severity per visit
# (compensated to decompensated cirrhosis) with log-normal spread, clamped well
# inside the plausible ranges of src/core/units.cpp, so every row is valid.
# About 1% of platelet, AST, ALT and sodium cells are empty (missing), as in a
# real registry; those rows keep their other scores and name what is missing.
# The same rows and seed give the same bytes with the same gawk (its rand() is
# its own generator, not libc's; mawk would give other rows). Numbers carry the
# precision labs report (bilirubin 0.1 mg/dL, albumin 0.1 g/dL, INR 0.01,
# creatinine 0.01 mg/dL, whole units otherwise). 1M rows take about 10 s.

function uniform(lo, hi) { return lo + (hi - lo) * rand() }

# Box-Muller; rand() can return 0, which log() must not see.
function normal(mean, sd,    u) {
  do { u = rand() } while (u == 0)
  return mean + sd * sqrt(-2 * log(u)) * cos(6.283185307179586 * rand())
}

function clamp(x, lo, hi) { return x < lo ? lo : (x > hi ? hi : x) }

function lognormal(log_mean, log_sd, lo, hi) { return clamp(exp(normal(log_mean, log_sd)), lo, hi) }

function category(severity, none, mild, severe,    u) {
  u = rand() + severity - 0.5
  return u < 0.45 ? none : (u < 0.8 ? mild : severe)
}

function maybe_missing(text) { return rand() < 0.01 ? "" : text }

BEGIN {
  if (rows == "") rows = 1000
  if (seed == "") seed = 20240611
  srand(seed)
  OFS = ","
  split("HBV HCV alcohol MASLD alcohol;HCV autoimmune PBC PSC HBV;HDV haemochromatosis other", aetiologies, " ")
  n_aetiologies = length(aetiologies)
  ln_08 = log(0.8); ln_105 = log(1.05); ln_085 = log(0.85); ln_200 = log(200); ln_35 = log(35); ln_30 = log(30)

  print "patient_id", "visit_date", "site", "sex", "age_years", "bilirubin_mg_dl", "albumin_g_dl", "inr",
        "creatinine_mg_dl", "sodium_mmol_l", "dialysis", "ascites", "encephalopathy", "platelets_10e9_l",
        "ast_u_l", "alt_u_l", "aetiology"
  split("0 3 6 12", months, " ")  # four visits per patient: baseline, 3, 6 and 12 months
  for (i = 1; i <= rows; i++) {
    visit = (i - 1) % 4 + 1
    if (visit == 1) {  # a new patient
      patient = int((i - 1) / 4) + 1
      sex = rand() < 0.65 ? "male" : "female"
      age = rand() < 0.01 ? uniform(12, 17) : uniform(18, 87)
      year = 2015 + int(rand() * 9); month = int(rand() * 12); day = 1 + int(rand() * 28)
      site = 1 + int(rand() * 17)
      aetiology = aetiologies[1 + int(rand() * n_aetiologies)]
      severity = rand()  # 0 compensated .. 1 decompensated
    }
    m = month + months[visit]
    s = clamp(severity + normal(0, 0.08), 0, 1)
    printf "CIR-%07d,%04d-%02d-%02d,site%02d,%s,%d,%.1f,%.1f,%.2f,%.2f,%s,%d,%s,%s,%s,%s,%s,%s\n",
      patient, year + int(m / 12), 1 + m % 12, day, site, sex, age + months[visit] / 12,
      lognormal(ln_08 + 2.0 * s, 0.5, 0.1, 40),
      clamp(normal(4.2 - 1.6 * s, 0.4), 1.5, 5.5),
      lognormal(ln_105 + 0.6 * s, 0.12, 0.8, 6),
      lognormal(ln_085 + 0.5 * s, 0.35, 0.3, 10),
      maybe_missing(int(clamp(normal(139 - 8 * s, 3), 115, 155))),
      (s > 0.7 && rand() < 0.1) ? 1 : 0,
      category(s, "none", "mild", "moderate-severe"),
      category(0.8 * s, "none", "grade1-2", "grade3-4"),
      maybe_missing(int(lognormal(ln_200 - 1.2 * s, 0.4, 10, 600))),
      maybe_missing(int(lognormal(ln_35 + 0.8 * s, 0.5, 5, 3000))),
      maybe_missing(int(lognormal(ln_30 + 0.3 * s, 0.5, 5, 3000))),
      aetiology
  }
}
