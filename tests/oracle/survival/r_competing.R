# Writes the competing-risks oracle: data sets and what R's cmprsk::cuminc
# makes of them. Usage: Rscript r_competing.R OUTDIR
# For each case it writes OUTDIR/<case>.{curve,summary,at,gray}.csv and a line
# in OUTDIR/cases.tsv: case, kind ("cif"), cirrus arguments. Numbers are
# written with 17 significant digits so that both sides read the same doubles.
#
# How cuminc's output maps onto cirrus's (docs/numerics.md): cuminc returns
# the corners of each step function, (0, 0), then (t, F(t-)) and (t, F(t)) at
# every event time t of the cause, then (last follow-up, F). cirrus returns
# one point per distinct event time of any cause in the group; the expected
# value there is cuminc's step function read at that time: est and var of the
# last jump at or before it (0 before the first). std_err = sqrt(var).
suppressPackageStartupMessages({
  library(survival)
  library(cmprsk)
})
args <- commandArgs(trailingOnly = TRUE)
out <- args[1]
dir.create(out, showWarnings = FALSE, recursive = TRUE)
cases <- file(file.path(out, "cases.tsv"), "w")

exact <- function(d) {
  for (col in names(d)) if (is.double(d[[col]])) d[[col]] <- ifelse(is.na(d[[col]]), NA, sprintf("%.17g", d[[col]]))
  d
}
write_data <- function(d, name) write.csv(exact(d), file.path(out, paste0(name, ".csv")), row.names = FALSE, na = "")
write_expected <- function(d, name) write.csv(exact(d), file.path(out, name), row.names = FALSE, na = "NA")

# cuminc compares times exactly; cirrus (like survival) first merges times
# within sqrt(eps) (timefix). On data with such near-ties the reference is
# cuminc on the times survival::aeqSurv has merged; elsewhere aeqSurv changes
# nothing. The `_exact` cases give cuminc the raw times and cirrus --no-timefix.
timefixed <- function(time, cause) aeqSurv(Surv(time, cause != 0))[, 1]

# One case: cuminc(time, cause, group, strata, rho) on the rows without NA in
# the columns used, and the cirrus arguments that should reproduce it.
cif_case <- function(name, data_name, time, cause, group = NULL, strata = NULL, cirrus_args, rho = 0,
                     times = NULL, causes = NULL, timefix = TRUE) {
  keep <- !is.na(time) & !is.na(cause)
  if (!is.null(group)) keep <- keep & !is.na(group)
  if (!is.null(strata)) keep <- keep & !is.na(strata)
  time <- if (timefix) timefixed(time[keep], cause[keep]) else time[keep]
  if (!timefix) cirrus_args <- paste(cirrus_args, "--no-timefix")
  cause <- cause[keep]
  group <- if (is.null(group)) rep("all", length(time)) else as.character(group[keep])
  # cirrus orders numeric labels numerically, as factor() does for numbers.
  levels_g <- if (all(!is.na(suppressWarnings(as.numeric(group))))) {
    as.character(sort(unique(as.numeric(group))))
  } else sort(unique(group))
  fit <- if (is.null(strata)) {
    cuminc(time, cause, factor(group, levels_g), rho = rho)
  } else {
    cuminc(time, cause, factor(group, levels_g), strata[keep], rho = rho)
  }
  all_causes <- sort(unique(cause[cause != 0]))
  report <- if (is.null(causes)) all_causes else causes
  curve_rows <- list(); summary_rows <- list(); at_rows <- list()
  for (k in report) {
    for (g in levels_g) {
      x <- fit[[paste(g, k)]]
      in_g <- group == g
      event_times <- sort(unique(time[in_g & cause != 0]))
      jumps <- if (length(x$time) > 2) seq(3, length(x$time) - 1, by = 2) else integer(0)
      at <- findInterval(event_times, x$time[jumps])  # the last jump at or before each time
      cif <- ifelse(at == 0, 0, x$est[jumps][pmax(at, 1)])
      var <- ifelse(at == 0, 0, x$var[jumps][pmax(at, 1)])
      curve_rows[[length(curve_rows) + 1]] <- data.frame(cause = as.character(k), group = g, time = event_times,
                                                         cif = cif, std_err = sqrt(pmax(var, 0)))
      summary_rows[[length(summary_rows) + 1]] <- data.frame(cause = as.character(k), group = g, n = sum(in_g),
                                                             events = sum(in_g & cause == k))
    }
  }
  write_expected(do.call(rbind, curve_rows), paste0(name, ".curve.csv"))
  write_expected(do.call(rbind, summary_rows), paste0(name, ".summary.csv"))
  if (!is.null(times)) {
    tp <- timepoints(fit, times)
    for (k in report) {
      for (g in levels_g) {
        row <- paste(g, k)
        at_rows[[length(at_rows) + 1]] <- data.frame(cause = as.character(k), group = g, time = sort(unique(times)),
                                                     cif = tp$est[row, ], std_err = sqrt(pmax(tp$var[row, ], 0)))
      }
    }
    write_expected(do.call(rbind, at_rows), paste0(name, ".at.csv"))
    cirrus_args <- paste(cirrus_args, "--times", paste(times, collapse = ","))
  }
  if (!is.null(fit$Tests)) {
    tests <- fit$Tests[as.character(report), , drop = FALSE]
    stat <- ifelse(tests[, "stat"] < 0, NA, tests[, "stat"])  # cuminc's -1: singular variance
    # The upper tail directly: cuminc's 1 - pchisq() rounds p below 1e-16 to 0.
    write_expected(data.frame(cause = rownames(tests), stat = stat, df = tests[, "df"],
                              p = pchisq(stat, tests[, "df"], lower.tail = FALSE)), paste0(name, ".gray.csv"))
  }
  if (!is.null(causes)) cirrus_args <- paste(cirrus_args, "--cause", paste(causes, collapse = ","))
  writeLines(paste(name, "cif", paste("--input", paste0(data_name, ".csv"), cirrus_args, "--rho", rho), sep = "\t"),
             cases)
}

# ---- pbc: status 0 censored, 1 transplant, 2 death ------------------------------------
d <- pbc
write_data(d, "pbc")
cif_case("cif_pbc_trt", "pbc", d$time, d$status, d$trt, cirrus_args = "--time time --event status --group trt",
         times = c(0, 365, 1000, 2000, 3000, 4000, 4556, 5000))
cif_case("cif_pbc_trt_strata_sex_rho1", "pbc", d$time, d$status, d$trt, d$sex, rho = 1,
         cirrus_args = "--time time --event status --group trt --strata sex", times = c(1500))
cif_case("cif_pbc_stage", "pbc", d$time, d$status, d$stage, cirrus_args = "--time time --event status --group stage",
         times = c(500, 2500))
cif_case("cif_pbc_all_death", "pbc", d$time, d$status, causes = 2, cirrus_args = "--time time --event status",
         times = c(1000, 4000))
# Landmark at 13 months (13 x 30.4375 days): subjects still at risk, time from the landmark.
lm <- 13 * 30.4375
dl <- subset(d, time > lm)
cif_case("cif_pbc_landmark13", "pbc", dl$time - lm, dl$status, dl$trt,
         cirrus_args = paste("--time time --event status --group trt --landmark", lm), times = c(1000))

# ---- simulated: three arms, two or three causes, ties, near-ties, strata --------------
for (seed in c(1, 2, 3, 4)) {
  set.seed(seed)
  n <- c(60, 400, 3000, 20000)[seed]  # 20000 exercises the radix sort (n >= 4096)
  arm <- sample(c("a", "b", "c"), n, replace = TRUE)
  site <- sample(c("north", "south"), n, replace = TRUE)
  t1 <- rexp(n, c(a = 0.10, b = 0.07, c = 0.05)[arm])  # cause 1, by arm
  t2 <- rexp(n, 0.04)                                   # cause 2
  t3 <- rexp(n, 0.01)                                   # cause 3, rare
  tc <- runif(n, 0, 30)                                 # censoring
  tmin <- pmin(t1, t2, t3, tc)
  cause <- ifelse(tc == tmin, 0L, ifelse(t1 == tmin, 1L, ifelse(t2 == tmin, 2L, 3L)))
  dd <- data.frame(id = seq_len(n), arm = arm, site = site, time = tmin, cause = cause,
                   cause2 = ifelse(cause == 3L, 2L, cause))  # two causes
  dd$days <- ceiling(dd$time * 7)  # heavy ties, of both causes and censorings at one time
  # Near-equal doubles: half the times carry an error of 4e-13 years, as a
  # computation in another order might leave; timefix merges them, cuminc not.
  dd$years <- dd$days / 365.25 + ifelse(runif(n) < 0.5, 0, 4e-13)
  name <- paste0("crand", seed)
  write_data(dd, name)
  cif_case(paste0("cif_", name), name, dd$time, dd$cause, dd$arm, cirrus_args = "--time time --event cause --group arm",
           times = c(1, 5, 10, 20, 40))
  cif_case(paste0("cif_", name, "_ties"), name, dd$days, dd$cause2, dd$arm,
           cirrus_args = "--time days --event cause2 --group arm", times = c(7, 70))
  cif_case(paste0("cif_", name, "_years_strata"), name, dd$years, dd$cause, dd$arm, dd$site,
           cirrus_args = "--time years --event cause --group arm --strata site")
  cif_case(paste0("cif_", name, "_ties_rho"), name, dd$days, dd$cause2, dd$arm, dd$site, rho = 0.5,
           cirrus_args = "--time days --event cause2 --group arm --strata site")
  # cuminc itself, times compared exactly: near-equal doubles stay distinct.
  cif_case(paste0("cif_", name, "_years_exact"), name, dd$years, dd$cause, dd$arm, timefix = FALSE,
           cirrus_args = "--time years --event cause --group arm", times = c(0.01, 0.05))
}

# ---- edge cases: no censoring (S reaches 0), a cause only in one group ----------------
edge <- data.frame(time = c(1, 2, 2, 2, 3, 4, 4, 5, 1, 1, 2, 3, 3, 6, 7, 7),
                   cause = c(1, 2, 1, 1, 0, 2, 1, 1, 2, 2, 1, 0, 2, 2, 2, 2),
                   arm = c(rep("x", 8), rep("y", 8)))
write_data(edge, "cedge")
cif_case("cif_edge", "cedge", edge$time, edge$cause, edge$arm, cirrus_args = "--time time --event cause --group arm",
         times = c(0, 2, 4.5, 5, 7, 8))
# ---- Fine-Gray: cmprsk::crr (cirrus finegray) ------------------------------------------
# crr on the rows without NA in the columns used; its defaults (gtol 1e-6,
# maxiter 10, variance = TRUE). Written: coef, se = sqrt(diag(invinf)) (the
# model-based SE), robust_se = sqrt(diag(var)) (the Fine-Gray sandwich, crr's
# SE), and loglik, loglik.null, the likelihood ratio and the Wald statistic
# b' var^-1 b. crr compares times exactly, as cirrus finegray does.
finegray_case <- function(name, data_name, time, status, covariates, cause, cirrus_args) {
  keep <- !is.na(time) & !is.na(status) & stats::complete.cases(covariates)
  x <- as.matrix(covariates[keep, , drop = FALSE])
  fit <- crr(time[keep], status[keep], x, failcode = cause, cencode = 0)
  stopifnot(fit$converged)
  b <- fit$coef
  write_expected(data.frame(term = colnames(x), coef = b, se = sqrt(diag(fit$invinf)),
                            robust_se = sqrt(diag(fit$var))), paste0(name, ".terms.csv"))
  write_expected(data.frame(n = fit$n, events = sum(status[keep] == cause), converged = fit$converged,
                            loglik = fit$loglik, loglik_null = fit$loglik.null,
                            lrt = 2 * (fit$loglik - fit$loglik.null),
                            wald = drop(t(b) %*% solve(fit$var) %*% b)), paste0(name, ".fit.csv"))
  writeLines(paste(name, "finegray", paste("--input", paste0(data_name, ".csv"), cirrus_args, "--cause", cause),
                   sep = "\t"), cases)
}
finegray_case("fg_pbc_death", "pbc", d$time, d$status,
              data.frame(age = d$age, `log(bili)` = log(d$bili), `log(albumin)` = log(d$albumin), check.names = FALSE),
              2, "--time time --event status --covariates age,log(bili),log(albumin)")
finegray_case("fg_pbc_transplant", "pbc", d$time, d$status,
              data.frame(age = d$age, `log(bili)` = log(d$bili), check.names = FALSE),
              1, "--time time --event status --covariates age,log(bili)")
finegray_case("fg_pbc_death_landmark13", "pbc", dl$time - lm, dl$status,
              data.frame(age = dl$age, `log(bili)` = log(dl$bili), `log(albumin)` = log(dl$albumin),
                         check.names = FALSE),
              2, paste("--time time --event status --covariates age,log(bili),log(albumin) --landmark", lm))
# crr's variance costs about n^3 in R (40 s at n = 8000), so the oracle stops at
# 3000; bench/compare/finegray.sh compares at 8000.
for (seed in 1:3) {
  set.seed(100 + seed)
  n <- c(150, 1000, 3000)[seed]
  x1 <- rnorm(n); x2 <- rbinom(n, 1, 0.4); x3 <- runif(n, 20, 80)
  lp <- 0.5 * x1 - 0.4 * x2 + 0.01 * x3
  t1 <- rexp(n, 0.1 * exp(lp)); t2 <- rexp(n, 0.05 * exp(-0.3 * x1)); tc <- runif(n, 0, 20)
  tmin <- pmin(t1, t2, tc)
  cause <- ifelse(tc == tmin, 0L, ifelse(t1 == tmin, 1L, 2L))
  fd <- data.frame(time = tmin, cause = cause, x1 = x1, x2 = x2, x3 = x3, days = ceiling(tmin * 20))
  name <- paste0("fgrand", seed)
  write_data(fd, name)
  finegray_case(paste0("fg_", name), name, fd$time, fd$cause, fd[, c("x1", "x2", "x3")], 1,
                "--time time --event cause --covariates x1,x2,x3")
  if (n <= 3000) {  # heavy ties: events of both causes and censorings share times
    finegray_case(paste0("fg_", name, "_ties"), name, fd$days, fd$cause, fd[, c("x1", "x2", "x3")], 1,
                  "--time days --event cause --covariates x1,x2,x3")
    finegray_case(paste0("fg_", name, "_ties_cause2"), name, fd$days, fd$cause, fd[, c("x1", "x3")], 2,
                  "--time days --event cause --covariates x1,x3")
  }
}
close(cases)
