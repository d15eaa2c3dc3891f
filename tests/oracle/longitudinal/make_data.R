# Writes the data sets of the longitudinal oracle (see PROVENANCE.md) into
# tests/oracle/longitudinal/data/. The CSV files are committed; this script is
# how they were made, and rerunning it rewrites them byte for byte.
#
#   Rscript tests/oracle/longitudinal/make_data.R [OUTDIR]
#
# Long format: a header row, then one row per subject per visit. A missing
# value is written as "NA" or as an empty cell (both are dropped and counted).
suppressPackageStartupMessages(library(nlme))
args <- commandArgs(trailingOnly = TRUE)
script_dir <- dirname(normalizePath(sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE)[1])))
out <- if (length(args) >= 1) args[1] else file.path(script_dir, "data")
dir.create(out, showWarnings = FALSE, recursive = TRUE)

# Every number is written with the fewest digits that read back as the same
# double (values here have at most 3 decimals), so the files read like data.
write_long <- function(d, name) {
  for (col in names(d)) {
    x <- d[[col]]
    if (is.numeric(x)) x <- ifelse(is.na(x), "NA", as.character(x))
    d[[col]] <- as.character(x)
  }
  lines <- c(paste(names(d), collapse = ","), do.call(paste, c(unname(as.list(d)), sep = ",")))
  writeLines(lines, file.path(out, paste0(name, ".csv")))
}

# Differences x_t - x_0 in double arithmetic, as wilcox.test(x_t, x_0, paired = TRUE) forms them.
has_ties_or_zeros <- function(d, subject, time, value, group, baseline) {
  base <- d[d[[time]] == baseline, ]
  for (g in unique(d[[group]])) for (t in setdiff(unique(d[[time]]), baseline)) {
    at <- d[d[[time]] == t & d[[group]] == g, ]
    m <- match(at[[subject]], base[[subject]])
    keep <- !is.na(m) & !is.na(at[[value]]) & !is.na(base[[value]][m])
    x <- at[[value]][keep] - base[[value]][m][keep]
    if (any(x == 0) || anyDuplicated(abs(x))) return(TRUE)
  }
  FALSE
}

# ---- R's ChickWeight: days 0-12 (0 is baseline), Diet 1-4, chick 18 dies after day 2 ----
cw <- as.data.frame(ChickWeight)
cw <- cw[cw$Time <= 12, c("Chick", "Diet", "Time", "weight")]
cw$Chick <- as.character(cw$Chick)
cw$Diet <- as.character(cw$Diet)
cw <- cw[order(as.integer(cw$Chick), cw$Time), ]
write_long(cw, "chickweight")

# ---- nlme::BodyWeight: rats on Diet 1-3, weighed on days 1 (baseline) to 64 (11 days) ----
bw <- as.data.frame(BodyWeight)[, c("Rat", "Diet", "Time", "weight")]
bw$Rat <- as.character(bw$Rat)
bw$Diet <- as.character(bw$Diet)
bw <- bw[order(as.integer(bw$Rat), bw$Time), ]
write_long(bw, "bodyweight")

# ---- nlme::Orthodont: distance (mm) at ages 8 (baseline), 10, 12, 14 by Sex ----
ot <- as.data.frame(Orthodont)[, c("Subject", "Sex", "age", "distance")]
ot$Subject <- as.character(ot$Subject)
ot$Sex <- as.character(ot$Sex)
ot <- ot[order(ot$Subject, ot$age), ]
write_long(ot, "orthodont")

# ---- a simulated two-arm cirrhosis trial: albumin (g/dL) at weeks 0, 4, 12, 24, 48 ----
# 500 patients, 1:1 control/treated. Albumin = subject level + AR(1) noise over
# the visits + a drift that the treatment turns upward; reported to 0.1 g/dL
# as laboratories do (so the changes have many ties and zeros). Between visits a
# patient may die (hazard rising as albumin falls) or leave the study (hazard
# depending on the last observed albumin: missing at random, monotone); 4 % of
# the remaining visits are missed (no row, or a row with an empty or NA value).
# age is constant; meld is measured at every visit (ANCOVA reads it from the
# baseline row); two patients have no recorded age.
set.seed(20240607)
n <- 500
weeks <- c(0, 4, 12, 24, 48)
arm <- rep(c("control", "treated"), length.out = n)[sample(n)]
age <- pmin(pmax(round(rnorm(n, 54, 9)), 25), 80)
level <- 3.15 - 0.012 * (age - 54) + rnorm(n, 0, 0.38)
effect <- function(w, a) (if (a == "treated") 0.30 * (1 - exp(-w / 12)) else 0) - 0.0025 * w
rows <- list()
for (i in seq_len(n)) {
  e <- as.numeric(arima.sim(list(ar = 0.55), n = length(weeks), sd = 0.22))
  alb <- level[i] + effect(weeks, arm[i]) + e
  meld0 <- pmin(pmax(round(rnorm(1, 15 - 3 * (level[i] - 3.15), 4)), 6), 40)
  meld <- pmin(pmax(meld0 + c(0, round(cumsum(rnorm(length(weeks) - 1, 0.2, 1.5)))), 6), 40)
  last_seen <- alb[1]
  for (j in seq_along(weeks)) {
    if (j > 1) {
      if (runif(1) < plogis(-4.3 - 1.6 * (alb[j] - 3))) break             # died before week j
      if (runif(1) < plogis(-3.2 - 1.2 * (last_seen - 3))) break          # left the study
    }
    value <- round(alb[j], 1)
    missed <- j > 1 && runif(1) < 0.04
    if (missed && runif(1) < 0.5) next                                    # no row at all
    rows[[length(rows) + 1]] <- data.frame(id = sprintf("P%03d", i), arm = arm[i], week = weeks[j],
                                           albumin = if (missed) NA else value, age = age[i], meld = meld[j])
    if (!missed) last_seen <- value
  }
}
cz <- do.call(rbind, rows)
cz$age[cz$id %in% c("P017", "P301")] <- NA
cz$albumin <- ifelse(is.na(cz$albumin), ifelse(seq_len(nrow(cz)) %% 2 == 0, "", "NA"), sprintf("%.1f", cz$albumin))
stopifnot(nrow(cz) <= 3000)
write_long(cz, "cirrhosis")

# ---- exact: two small arms, continuous scores, no ties or zeros among the changes ----
# (wilcox.test is exact: n < 50 and neither ties nor zeros). 5 visits: 0-4.
seed <- 101
repeat {
  set.seed(seed)
  sizes <- c(a = 12, b = 15)
  d <- do.call(rbind, lapply(names(sizes), function(g) {
    k <- sizes[[g]]
    u <- rnorm(k, 50, 6)
    do.call(rbind, lapply(0:4, function(t) data.frame(subject = sprintf("%s%02d", g, seq_len(k)), arm = g, visit = t,
      score = round(u + t * (if (g == "a") 1.5 else 2.5) + rnorm(k, 0, 3), 3))))
  }))
  if (!has_ties_or_zeros(d, "subject", "visit", "score", "arm", 0)) break
  seed <- seed + 1
}
d <- d[order(d$subject, d$visit), ]
d <- d[!(d$subject == "b07" & d$visit >= 3), ]   # one dropout
write_long(d, "exact")

# ---- ties: integer symptom scores 0-12 (ties and zeros among the changes) ----
set.seed(202)
k <- 24
d <- do.call(rbind, lapply(c("placebo", "active"), function(g) {
  u <- sample(3:9, k, replace = TRUE)
  do.call(rbind, lapply(c(0, 6, 12), function(t) data.frame(subject = paste0(substr(g, 1, 1), seq_len(k)), group = g,
    week = t, score = pmin(pmax(u + (if (g == "active") -round(t / 6) else 0) + sample(-1:1, k, replace = TRUE), 0), 12))))
}))
d <- d[order(d$group, d$subject, d$week), ]
write_long(d, "ties")

# ---- sparse: visit 5 has only three subjects (two in x, one in y) ----
set.seed(303)
d <- do.call(rbind, lapply(c("x", "y"), function(g) {
  u <- rnorm(10, 20, 4)
  do.call(rbind, lapply(c(0, 1, 2, 3, 5), function(t) data.frame(subject = paste0(g, 1:10), group = g, time = t,
    value = round(u + t * (if (g == "y") 0.8 else 0.3) + rnorm(10, 0, 1.5), 2))))
}))
d <- d[d$time != 5 | d$subject %in% c("x2", "x7", "y4"), ]
d <- d[!(d$subject == "y9" & d$time == 2), ]
d <- d[order(d$group, d$subject, d$time), ]
write_long(d, "sparse")

# ---- missing: group b has values "NA" and empty; b03's baseline is missing, ----
# ---- b08 has nothing after baseline; both are left out of every analysis   ----
set.seed(404)
d <- do.call(rbind, lapply(c("a", "b"), function(g) {
  u <- rnorm(12, 100, 12)
  do.call(rbind, lapply(c(0, 2, 4, 8), function(t) data.frame(subject = sprintf("%s%02d", g, 1:12), group = g, week = t,
    value = round(u - t * (if (g == "b") 1.2 else 0.4) + rnorm(12, 0, 4), 1))))
}))
d <- d[order(d$group, d$subject, d$week), ]
d$value <- sprintf("%.1f", d$value)
blank <- function(s, w, text) d$value[d$subject == s & d$week %in% w] <<- text
blank("b03", 0, "NA"); blank("b08", c(2, 4, 8), ""); blank("b01", 4, "NA"); blank("b05", 8, "")
blank("b10", 2, "NA"); blank("b11", 8, "NA")
write_long(d, "missing")

# ---- single: one cohort, no group column; 6 visits (0 baseline), dropout ----
set.seed(505)
k <- 22
times <- c(0, 1, 2, 4, 8, 12)
d <- do.call(rbind, lapply(seq_len(k), function(i) {
  u <- rnorm(1, 7, 1.2); last <- sample(4:6, 1, prob = c(0.15, 0.15, 0.7))
  data.frame(subject = i, time = times[1:last], value = round(u + 0.08 * times[1:last] + rnorm(last, 0, 0.5), 2))
}))
write_long(d, "single")
