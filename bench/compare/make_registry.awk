# Writes a registry CSV set for the benchmarks into `dir`: sites, studies,
# patients and either `rows` lab rows (20 visits x 5 analytes per patient) or
# `patients` patients with `visits` completed visits each and an albumin at
# each visit.
#   awk -v rows=1000000 -v dir=out/labs -f make_registry.awk
#   awk -v patients=100000 -v visits=40 -v dir=out/show -f make_registry.awk
BEGIN {
  srand(20261121)
  if (rows > 0) { visits = 20; patients = int((rows + 99) / 100) }
  print "site,name,country" > (dir "/sites.csv")
  for (s = 1; s <= 10; s++) printf "S%02d,Site %d,FR\n", s, s > (dir "/sites.csv")
  print "study,title,registration" > (dir "/studies.csv")
  print "REG,Benchmark registry," > (dir "/studies.csv")
  print "patient,site,study,arm,sex,birth_year,aetiology,cirrhosis_diagnosis,first_decompensation,enrolment,status" > (dir "/patients.csv")
  print "patient,date,analyte,value,unit,missing_reason" > (dir "/labs.csv")
  if (rows == 0) print "patient,date,visit,status" > (dir "/visits.csv")
  split("31 28 31 30 31 30 31 31 30 31 30 31", month_days, " ")
  written = 0
  for (p = 1; p <= patients; p++) {
    code = sprintf("S%02d-%06d", p % 10 + 1, p)
    printf "%s,S%02d,REG,,%s,%d,HBV,2010-01-01,,2012-01-01,on-study\n", code, p % 10 + 1, (p % 2 ? "male" : "female"), 1940 + p % 40 > (dir "/patients.csv")
    for (v = 0; v < visits; v++) {
      day = 30 * v  # a visit a month from 2012-01-01
      y = 2012; m = 1; d = 1 + day
      while (1) {
        md = month_days[m] + (m == 2 && y % 4 == 0 ? 1 : 0)
        if (d <= md) break
        d -= md; m++; if (m > 12) { m = 1; y++ }
      }
      date = sprintf("%04d-%02d-%02d", y, m, d)
      if (rows == 0) printf "%s,%s,V%d,completed\n", code, date, v > (dir "/visits.csv")
      printf "%s,%s,ALB,%.1f,g/L,\n", code, date, 25 + 20 * rand() > (dir "/labs.csv")
      if (rows == 0) continue
      printf "%s,%s,BILI,%.1f,umol/L,\n", code, date, 10 + 90 * rand() > (dir "/labs.csv")
      printf "%s,%s,INR,%.2f,,\n", code, date, 1 + 1.5 * rand() > (dir "/labs.csv")
      printf "%s,%s,CREAT,%.0f,umol/L,\n", code, date, 50 + 100 * rand() > (dir "/labs.csv")
      printf "%s,%s,SODIUM,%.0f,mmol/L,\n", code, date, 125 + 17 * rand() > (dir "/labs.csv")
      written += 5
      if (rows > 0 && written >= rows) exit
    }
  }
}
