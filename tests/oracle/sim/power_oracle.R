# Reference power values for `cirrus power` (the "piecewise-exponential delayed effect" scenario).
#
# What it computes, per scenario (table `scenarios` below), as CSV on stdout:
#   scenario,analysis,power,mc_se
# 1. rpact 3.3.4, log-rank only (see tests/oracle/sim/PROVENANCE.md for the mapping):
#    rpact-schoenfeld-logrank   getPowerSurvival, two-sided alpha 0.05, Schoenfeld, with the
#                               expected number of deaths by 75 months (getEventProbabilities).
#                               Analytic (mc_se 0); proportional-hazards scenarios only, since
#                               rpact refuses lambda1 / lambda2 that is not constant.
#    rpact-sim-events-logrank   getSimulationSurvival, one-sided alpha 0.025 (rpact simulates
#                               one-sided only), analysis at the calendar time of the
#                               round(E[deaths by 75 months])-th death: rpact's event-driven
#                               version of our fixed-follow-up design.
#    rpact-data-fixed75-logrank rpact's simulated patients (getSimulationSurvival raw data:
#                               latent survival and dropout times) cut at 75 months from entry
#                               exactly as our design, log-rank by survival::survdiff,
#                               two-sided 0.05: our design exactly, on rpact's generator.
# 2. asymptotic-logrank, asymptotic-fh(0,1): the weighted log-rank's normal approximation at
#    the fixed 75-month cut, integrated numerically (no rpact, no simulation; mc_se 0).
# 3. Plain R Monte-Carlo (bench/compare/power_r.R's simulate_trial / analyse_trial, our
#    generator): power of all six analyses, two-sided 0.05: logrank, fh(0,1),
#    landmark-logrank, landmark-cox, rmst, cox.
# mc_se = sqrt(p (1 - p) / iterations).
#
# Usage: Rscript tests/oracle/sim/power_oracle.R [--mc-trials 4000] [--rpact-iterations 20000]
#                                                [--seed 20261122] [--scenarios a,b,c,d]
# Time here (shared 2-core machine, one core, under load): 35-50 s per scenario for the plain-R
# Monte-Carlo at 4000 trials (9-12 ms a trial), about 35 s per scenario for the rpact parts
# (the fixed-75 part runs survdiff on 20000 trials); 5.5 minutes for all four scenarios.
# Quick smoke run: --mc-trials 50 --rpact-iterations 500 --scenarios b (about 5 s).
suppressPackageStartupMessages({
  library(survival)
  library(rpact)
})

script_dir <- local({
  f <- sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))
  if (length(f) == 1L) dirname(normalizePath(f)) else "tests/oracle/sim"
})
# Shared with the benchmark so that the oracle and the bench run one implementation.
source(file.path(script_dir, "..", "..", "..", "bench", "compare", "power_r.R"))

# Scenarios: lambda and dropout per year; times in months. Every patient is followed for
# F = 75 months from entry; n = 111 control, 108 treated.
scenarios <- data.frame(
  scenario = c("a", "b", "c", "d"),
  description = c("proportional HR 0.6 from time 0, lambda 0.1/y",
                  "delayed: HR 1 before 13 months then 0.6, lambda 0.1/y",
                  "null: HR 1, lambda 0.1/y",
                  "delayed: HR 1 then 0.6 after 13 months, lambda 0.06/y, dropout 0.05/y"),
  lambda = c(0.1, 0.1, 0.1, 0.06),
  hr_early = c(0.6, 1, 1, 1),
  hr_late = c(0.6, 0.6, 1, 0.6),
  dropout = c(0, 0, 0, 0.05),
  stringsAsFactors = FALSE)
kN0 <- 111; kN1 <- 108; kLag <- 13; kF <- 75; kTau <- 60
# rpact needs an accrual period; 1e-6 months (about 3 s) makes entry simultaneous for
# all practical purposes (the analysis time then differs from 75 months by at most 1e-6).
kAccrual <- 1e-6

raw_args <- commandArgs(trailingOnly = TRUE)
wanted <- scenarios$scenario
at <- which(raw_args == "--scenarios")
if (length(at) == 1L && at < length(raw_args)) {
  wanted <- strsplit(raw_args[at + 1L], ",")[[1]]
  raw_args <- raw_args[-c(at, at + 1L)]
}
args <- parse_args(raw_args, list(mc_trials = 4000, rpact_iterations = 20000, seed = 20261122))

# rpact's hazards are per month (the time unit of accrualTime); treated = group 1.
rpact_hazards <- function(s) {
  lam <- s$lambda / 12
  # With a constant ratio rpact wants plain exponentials (it rejects an equal-ratio piecewise vector).
  if (s$hr_early == s$hr_late) return(list(piecewiseSurvivalTime = NA_real_, lambda2 = lam, lambda1 = lam * s$hr_late))
  list(piecewiseSurvivalTime = c(0, kLag), lambda2 = c(lam, lam), lambda1 = c(lam * s$hr_early, lam * s$hr_late))
}
# An exponential dropout hazard d per year = probability 1 - exp(-d) of dropping out by 12 months.
rpact_dropout <- function(s) 1 - exp(-s$dropout)

expected_deaths <- function(s) {
  h <- rpact_hazards(s)
  e <- getEventProbabilities(kF + kAccrual, accrualTime = c(0, kAccrual),
                             piecewiseSurvivalTime = h$piecewiseSurvivalTime, lambda2 = h$lambda2,
                             lambda1 = h$lambda1, allocationRatioPlanned = kN1 / kN0,
                             dropoutRate1 = rpact_dropout(s), dropoutRate2 = rpact_dropout(s), dropoutTime = 12,
                             maxNumberOfSubjects = kN0 + kN1)
  kN1 * e$eventProbabilities1 + kN0 * e$eventProbabilities2
}

rpact_schoenfeld <- function(s, events) {
  if (s$hr_early != s$hr_late) return(NULL)  # rpact: "delayed response is not allowed"
  if (s$hr_late == 1) return(0.05)           # the null: the size of the two-sided test
  design <- getDesignGroupSequential(kMax = 1, alpha = 0.05, sided = 2)
  p <- getPowerSurvival(design, typeOfComputation = "Schoenfeld", lambda2 = s$lambda / 12,
                        hazardRatio = s$hr_late, allocationRatioPlanned = kN1 / kN0,
                        accrualTime = c(0, kAccrual), maxNumberOfSubjects = kN0 + kN1,
                        maxNumberOfEvents = events, dropoutRate1 = rpact_dropout(s),
                        dropoutRate2 = rpact_dropout(s), dropoutTime = 12)
  stopifnot(abs(p$analysisTime[1, 1] - kF) < 1e-3)  # the expected deaths are reached at 75 months
  p$overallReject
}

rpact_simulation <- function(s, planned_events, iterations, seed, raw = 0) {
  h <- rpact_hazards(s)
  getSimulationSurvival(getDesignGroupSequential(kMax = 1, alpha = 0.025, sided = 1),
                        directionUpper = s$hr_late > 1,
                        piecewiseSurvivalTime = h$piecewiseSurvivalTime, lambda2 = h$lambda2, lambda1 = h$lambda1,
                        allocation1 = kN1, allocation2 = kN0, accrualTime = c(0, kAccrual),
                        maxNumberOfSubjects = kN0 + kN1, plannedEvents = planned_events,
                        dropoutRate1 = rpact_dropout(s), dropoutRate2 = rpact_dropout(s), dropoutTime = 12,
                        maxNumberOfIterations = iterations, maxNumberOfRawDatasetsPerStage = raw, seed = seed)
}

# Our design on rpact's generated patients: follow each for 75 months from entry, survdiff.
rpact_fixed75 <- function(s, iterations, seed, chunk = 2000) {
  rejected <- 0; wrong_side <- 0; done <- 0; k <- 0
  while (done < iterations) {
    m <- min(chunk, iterations - done)
    # plannedEvents = 1 reaches its analysis in every iteration, so rpact keeps every raw data set;
    # only the latent survivalTime / dropoutTime and the arm are used.
    sim <- suppressWarnings(rpact_simulation(s, 1, m, seed + k, raw = m))
    rd <- getRawData(sim)
    drop <- ifelse(is.na(rd$dropoutTime), Inf, rd$dropoutTime)
    cens <- pmin(drop, kF)
    rd$time <- pmin(rd$survivalTime, cens)
    rd$status <- as.integer(rd$survivalTime <= cens)
    rd$arm <- as.integer(rd$treatmentGroup == 1L)
    for (d in split(rd[, c("time", "status", "arm")], rd$iterationNumber)) {
      stopifnot(nrow(d) == kN0 + kN1, sum(d$arm) == kN1)
      lr <- logrank(d$time, d$status, d$arm)
      if (!is.na(lr["p"]) && lr["p"] < 0.05) {
        rejected <- rejected + 1
        if (lr["z"] > 0) wrong_side <- wrong_side + 1
      }
    }
    done <- done + m; k <- k + 1
  }
  c(power = rejected / iterations, wrong_side = wrong_side / iterations)
}

# Asymptotic power of the G(0, gamma) weighted log-rank at the fixed 75-month cut, without rpact:
# U = sum w (O1 - E1) is approximately normal with mean  int w Y1 Y0 / Y (h1 - h0) dt  and variance
# int w^2 Y1 Y0 / Y^2 (Y1 h1 + Y0 h0) dt, where Y_k(t) = n_k S_k(t) G(t) is the expected number at
# risk, G the dropout survival and w = (1 - S(t-))^gamma on the limit of the pooled KM (Schoenfeld
# 1981, Biometrika 68:316-319; the weighted form as in Lakatos 1988). Trapezoid rule on a grid of
# 0.0025 months; the lag appears twice in the grid, once with the early hazard and once with the
# late one, so that no trapezoid straddles the jump (the integrands are smooth on either side).
asymptotic_weighted_logrank <- function(s, gamma) {
  grid <- c(seq(0, kLag, length.out = 5201), seq(kLag, kF, length.out = 24801))
  late <- rep(c(FALSE, TRUE), c(5201, 24801))
  h0 <- rep(s$lambda / 12, length(grid))
  h1 <- s$lambda / 12 * ifelse(late, s$hr_late, s$hr_early)
  trap <- function(f) c(0, cumsum(diff(grid) * (head(f, -1) + tail(f, -1)) / 2))
  # Cumulative hazards: exact, piecewise linear.
  H0 <- grid * s$lambda / 12
  H1 <- s$lambda / 12 * (s$hr_early * pmin(grid, kLag) + s$hr_late * pmax(grid - kLag, 0))
  g <- exp(-grid * s$dropout / 12)
  y0 <- kN0 * exp(-H0) * g; y1 <- kN1 * exp(-H1) * g; y <- y0 + y1
  pooled <- exp(-trap((y1 * h1 + y0 * h0) / y))
  w <- (1 - pooled)^gamma
  mean_u <- tail(trap(w * y1 * y0 / y * (h1 - h0)), 1)
  var_u <- tail(trap(w^2 * y1 * y0 / y^2 * (y1 * h1 + y0 * h0)), 1)
  mu <- mean_u / sqrt(var_u)
  z <- qnorm(0.975)
  pnorm(-z - mu) + pnorm(mu - z)
}

row <- function(scenario, analysis, power, mc_se) {
  cat(sprintf("%s,%s,%.6f,%.6f\n", scenario, analysis, power, mc_se))
  flush(stdout())
}
mcse <- function(p, n) sqrt(p * (1 - p) / n)

cat("scenario,analysis,power,mc_se\n")
for (i in which(scenarios$scenario %in% wanted)) {
  s <- scenarios[i, ]
  message(sprintf("scenario %s: %s", s$scenario, s$description))
  events <- expected_deaths(s)
  message(sprintf("  expected deaths by %g months: %.4f (planned events for rpact's simulation: %d)",
                  kF, events, round(events)))
  sch <- rpact_schoenfeld(s, events)
  if (!is.null(sch)) row(s$scenario, "rpact-schoenfeld-logrank", sch, 0)
  row(s$scenario, "asymptotic-logrank", asymptotic_weighted_logrank(s, 0), 0)
  row(s$scenario, "asymptotic-fh(0,1)", asymptotic_weighted_logrank(s, 1), 0)
  n_it <- as.integer(args$rpact_iterations)
  sim <- rpact_simulation(s, round(events), n_it, args$seed)
  stopifnot(sim$eventsNotAchieved[1, 1] == 0 || s$dropout > 0)
  ps <- sim$overallReject
  row(s$scenario, "rpact-sim-events-logrank", ps, mcse(ps, n_it))
  message(sprintf("  rpact simulation: mean analysis time %.2f months (event-driven), events not achieved %.4f",
                  sim$analysisTime[1, 1], sim$eventsNotAchieved[1, 1]))
  fx <- rpact_fixed75(s, n_it, args$seed)
  row(s$scenario, "rpact-data-fixed75-logrank", fx[["power"]], mcse(fx[["power"]], n_it))
  message(sprintf("  rpact data, fixed 75 months: rejections in the unfavourable direction %.5f", fx[["wrong_side"]]))
  mc <- run_power(as.integer(args$mc_trials), as.integer(args$seed) + i, kN0, kN1, s$lambda, s$hr_early,
                  s$hr_late, kLag, kF, s$dropout, kTau)
  tab <- power_table(mc$p)
  for (j in seq_len(nrow(tab))) row(s$scenario, tab$analysis[j], tab$power[j], tab$mc_se[j])
  message(sprintf("  plain R Monte-Carlo: %d trials in %.1f s", nrow(mc$p), mc$elapsed))
}
