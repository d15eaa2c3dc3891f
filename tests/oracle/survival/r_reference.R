# Writes the survival oracle: data sets and what R's survival package makes of
# them. Usage: Rscript r_reference.R OUTDIR
# For each case it writes OUTDIR/<case>.csv (the data), and a line in
# OUTDIR/cases.tsv: case, kind, cirrus arguments, expected-file prefix.
# Expected values are CSV files written with 17 significant digits.
suppressPackageStartupMessages(library(survival))
args <- commandArgs(trailingOnly = TRUE)
out <- args[1]
dir.create(out, showWarnings = FALSE, recursive = TRUE)
cases <- file(file.path(out, "cases.tsv"), "w")
options(digits = 17)

# Numbers are written with 17 significant digits so that both sides read the same doubles.
exact <- function(d) {
  for (col in names(d)) if (is.double(d[[col]])) d[[col]] <- ifelse(is.na(d[[col]]), NA, sprintf("%.17g", d[[col]]))
  d
}
write_data <- function(d, name) write.csv(exact(d), file.path(out, paste0(name, ".csv")), row.names = FALSE, na = "")
write_expected <- function(d, name) write.csv(exact(d), file.path(out, name), row.names = FALSE, na = "NA")
add_case <- function(name, kind, cirrus_args) writeLines(paste(name, kind, cirrus_args, sep = "\t"), cases)

# ---- Kaplan-Meier ------------------------------------------------------------------
km_case <- function(name, data_name, formula, data, cirrus_args, conf_type = "log", times = NULL, weights = NULL,
                    start_time = NULL) {
  data$case_weight <- if (is.null(weights)) 1 else weights
  fit <- survfit(formula, data = data, conf.type = conf_type, weights = case_weight)
  strata <- if (is.null(fit$strata)) rep("all", length(fit$time)) else
    rep(sub("^[^=]*=", "", names(fit$strata)), fit$strata)
  curve <- data.frame(group = strata, time = fit$time, n_risk = fit$n.risk, n_event = fit$n.event,
                      n_censor = fit$n.censor, survival = fit$surv,
                      # logse: std.err is of log S (Greenwood); otherwise of S (the robust variance)
                      std_err = if (fit$logse) fit$std.err * fit$surv else fit$std.err,
                      lower = fit$lower, upper = fit$upper)
  write_expected(curve, paste0(name, ".curve.csv"))
  tab <- summary(fit)$table
  if (is.null(dim(tab))) tab <- t(as.matrix(tab))
  groups <- if (is.null(fit$strata)) "all" else sub("^[^=]*=", "", rownames(tab))
  lcl <- grep("LCL", colnames(tab)); ucl <- grep("UCL", colnames(tab))
  summ <- data.frame(group = groups, n = tab[, "records"], events = tab[, "events"], median = tab[, "median"],
                     median_lower = tab[, lcl], median_upper = tab[, ucl])
  write_expected(summ, paste0(name, ".summary.csv"))
  if (!is.null(times)) {
    s <- summary(fit, times = times, extend = TRUE)
    sg <- if (is.null(s$strata)) rep("all", length(s$time)) else sub("^[^=]*=", "", as.character(s$strata))
    write_expected(data.frame(group = sg, time = s$time, n_risk = s$n.risk, survival = s$surv,
                              lower = s$lower, upper = s$upper), paste0(name, ".at.csv"))
    cirrus_args <- paste(cirrus_args, "--times", paste(times, collapse = ","))
  }
  add_case(name, "km", paste("--input", paste0(data_name, ".csv"), cirrus_args, "--conf-type", conf_type))
}

# ---- log-rank ------------------------------------------------------------------------
logrank_case <- function(name, data_name, formula, data, cirrus_args, rho = 0) {
  test <- survdiff(formula, data = data, rho = rho)
  obs <- if (is.matrix(test$obs)) rowSums(test$obs) else test$obs
  exp <- if (is.matrix(test$exp)) rowSums(test$exp) else test$exp
  groups <- sub("^[^=]*=", "", names(test$n))
  write_expected(data.frame(group = groups, n = as.numeric(test$n), observed = obs, expected = exp),
                 paste0(name, ".groups.csv"))
  df <- sum(exp > 0) - 1
  write_expected(data.frame(chisq = test$chisq, df = df, p = pchisq(test$chisq, df, lower.tail = FALSE)),
                 paste0(name, ".test.csv"))
  add_case(name, "logrank", paste("--input", paste0(data_name, ".csv"), cirrus_args, "--rho", rho))
}

# Fleming-Harrington G(rho, gamma) written out from its definition (Fleming &
# Harrington 1991, eq. 7.3.3; Harrington & Fleming 1982): survdiff has no gamma.
# Weights S(t-)^rho (1 - S(t-))^gamma with S the pooled KM; hypergeometric variance.
fh_case <- function(name, data_name, time, event, group, cirrus_args, rho, gamma) {
  lev <- sort(unique(group)); g2 <- group == lev[2]
  tt <- sort(unique(time[event == 1]))
  s_minus <- 1; o <- 0; e <- 0; v <- 0
  for (t in tt) {
    at_risk <- time >= t; n <- sum(at_risk); n2 <- sum(at_risk & g2)
    d <- sum(time == t & event == 1); d2 <- sum(time == t & event == 1 & g2)
    w <- s_minus^rho * (1 - s_minus)^gamma
    o <- o + w * d2; e <- e + w * d * n2 / n
    if (n > 1) v <- v + w^2 * d * (n - d) / (n * (n - 1)) * n2 * (1 - n2 / n)
    s_minus <- s_minus * (n - d) / n
  }
  chisq <- (o - e)^2 / v
  write_expected(data.frame(chisq = chisq, df = 1, p = pchisq(chisq, 1, lower.tail = FALSE)), paste0(name, ".test.csv"))
  add_case(name, "logrank", paste("--input", paste0(data_name, ".csv"), cirrus_args, "--rho", rho, "--gamma", gamma))
}

# ---- data sets ---------------------------------------------------------------------------
pbc_data <- pbc
write_data(pbc_data, "pbc")
pbc_args <- "--time time --event status --event-value 2"

km_case("km_pbc_trt", "pbc", Surv(time, status == 2) ~ trt, pbc_data, paste(pbc_args, "--group trt"),
        times = c(365, 1000, 2000, 4000, 5000))
km_case("km_pbc_all_loglog", "pbc", Surv(time, status == 2) ~ 1, pbc_data, pbc_args, conf_type = "log-log",
        times = c(0, 1000, 3000))
km_case("km_pbc_stage_plain", "pbc", Surv(time, status == 2) ~ stage, pbc_data, paste(pbc_args, "--group stage"),
        conf_type = "plain")
km_case("km_pbc_sex_any_event", "pbc", Surv(time, status > 0) ~ sex, pbc_data,
        "--time time --event status --group sex")
logrank_case("lr_pbc_trt", "pbc", Surv(time, status == 2) ~ trt, pbc_data, paste(pbc_args, "--group trt"))
logrank_case("lr_pbc_stage", "pbc", Surv(time, status == 2) ~ stage, pbc_data, paste(pbc_args, "--group stage"))
logrank_case("lr_pbc_trt_strata_sex", "pbc", Surv(time, status == 2) ~ trt + strata(sex), pbc_data,
             paste(pbc_args, "--group trt --strata sex"))
logrank_case("lr_pbc_trt_peto", "pbc", Surv(time, status == 2) ~ trt, pbc_data, paste(pbc_args, "--group trt"), rho = 1)

# Landmark at 13 months (13 x 30.4375 days): subjects still at risk, time from the landmark.
lm <- 13 * 30.4375
pbc_lm <- subset(pbc_data, time > lm); pbc_lm$time <- pbc_lm$time - lm
km_case("km_pbc_landmark13", "pbc", Surv(time, status == 2) ~ trt, pbc_lm,
        paste(pbc_args, "--group trt --landmark", lm))
logrank_case("lr_pbc_landmark13", "pbc", Surv(time, status == 2) ~ trt, pbc_lm,
             paste(pbc_args, "--group trt --landmark", lm))

# Random data, several sizes and seeds: continuous times, heavy ties, weights, delayed entry.
for (seed in c(1, 2, 3, 4)) {
  set.seed(seed)
  n <- c(60, 400, 3000, 20000)[seed]  # 20000 exercises the radix sort (n >= 4096)
  arm <- sample(c("a", "b", "c"), n, replace = TRUE)
  rate <- c(a = 0.10, b = 0.07, c = 0.05)[arm]
  t_event <- rexp(n, rate); t_cens <- runif(n, 0, 30)
  d <- data.frame(id = seq_len(n), arm = arm, time = pmin(t_event, t_cens), event = as.integer(t_event <= t_cens))
  d$days <- ceiling(d$time * 7)             # heavy ties
  d$years <- d$days / 365.25                 # near-equal doubles: timefix
  d$w <- sample(1:3, n, replace = TRUE)      # integer case weights
  d$entry <- ifelse(runif(n) < 0.3, runif(n, 0, 1) * d$time, 0)
  name <- paste0("rand", seed)
  write_data(d, name)
  km_case(paste0("km_", name), name, Surv(time, event) ~ arm, d, "--time time --event event --group arm",
          times = c(1, 5, 10, 20))
  km_case(paste0("km_", name, "_ties"), name, Surv(days, event) ~ arm, d, "--time days --event event --group arm")
  km_case(paste0("km_", name, "_years"), name, Surv(years, event) ~ 1, d, "--time years --event event")
  km_case(paste0("km_", name, "_weights"), name, Surv(days, event) ~ arm, d,
          "--time days --event event --group arm --weights w", weights = d$w)
  km_case(paste0("km_", name, "_entry"), name, Surv(entry, time, event) ~ arm, d,
          "--time time --event event --entry entry --group arm", times = c(2, 8))
  logrank_case(paste0("lr_", name), name, Surv(time, event) ~ arm, d, "--time time --event event --group arm")
  logrank_case(paste0("lr_", name, "_ties_rho"), name, Surv(days, event) ~ arm, d,
               "--time days --event event --group arm", rho = 0.5)
  two <- d$arm != "c"
  write_data(d[two, ], paste0(name, "_two"))
  fh_case(paste0("fh01_", name), paste0(name, "_two"), d$days[two], d$event[two], d$arm[two],
          "--time days --event event --group arm", rho = 0, gamma = 1)
  fh_case(paste0("fh11_", name), paste0(name, "_two"), d$days[two], d$event[two], d$arm[two],
          "--time days --event event --group arm", rho = 1, gamma = 1)
}

# ---- Restricted mean survival time ---------------------------------------------------------
# Per group: summary(survfit(...), rmean = tau)$table, columns rmean and se(rmean)
# (survival:::survmean). survRM2 is not packaged for Debian, so what cirrus takes from it is
# written out here from its source (survRM2 1.0-4, R/rmst1.R and R/rmst2.R): rmst1's area and
# Greenwood plug-in variance, which must agree with survival's rmean; rmst2's difference
# rmst_a - rmst_b with se sqrt(v_a + v_b), interval d -+ qnorm(1 - alpha/2) se and
# p = 2 pnorm(-|d| / se); and rmst2's default tau.
survrm2_rmst1 <- function(time, status, tau) {
  ft <- survfit(Surv(time, status) ~ 1)
  idx <- ft$time <= tau
  wk_time <- sort(c(ft$time[idx], tau))
  areas <- diff(c(0, wk_time)) * c(1, ft$surv[idx])
  n <- ft$n.risk[idx]; d <- ft$n.event[idx]
  wk_var <- c(ifelse(n - d == 0, 0, d / (n * (n - d))), 0)
  c(rmst = sum(areas), se = sqrt(sum(cumsum(rev(areas[-1]))^2 * rev(wk_var)[-1])))
}
# rmst2's four cases for two arms (x = largest time, s = min(status) at it); with more
# groups cirrus generalises: the smallest end among groups that end censored, else the
# largest end. The two agree for two groups (checked below).
survrm2_tau <- function(time, status, group) {
  lev <- sort(unique(group))
  x <- sapply(lev, function(g) max(time[group == g]))
  s <- sapply(seq_along(lev), function(i) min(status[group == lev[i] & time == x[i]]))
  general <- if (any(s == 0)) min(x[s == 0]) else max(x)
  if (length(lev) == 2) {
    tt0 <- x[1]; tt1 <- x[2]; s0 <- s[1]; s1 <- s[2]
    rm2 <- if (s0 == 1 && s1 == 1) max(x) else if (s0 == 0 && s1 == 0) min(x) else
      if ((s0 == 0 && s1 == 1 && tt0 >= tt1) || (s0 == 1 && s1 == 0 && tt1 > tt0)) max(x) else min(x)
    stopifnot(rm2 == general)
  }
  general
}
# time, status, group: the analysed vectors (after any landmark), for the default tau
# and for rmst1. cirrus is asked for JSON with --compare when `compare` is given.
rmst_case <- function(name, data_name, formula, data, cirrus_args, time, status, group, tau = NULL,
                      weights = NULL, compare = NULL, level = 0.95, extend = FALSE, check_rmst1 = TRUE) {
  data$case_weight <- if (is.null(weights)) 1 else weights
  tau_used <- if (is.null(tau)) survrm2_tau(time, status, group) else tau
  fit <- survfit(formula, data = data, weights = case_weight)
  tab <- summary(fit, rmean = tau_used)$table
  if (is.null(dim(tab))) tab <- t(as.matrix(tab))
  labels <- if (is.null(fit$strata)) "all" else sub("^[^=]*=", "", rownames(tab))
  rmst <- tab[, "rmean"]; se <- tab[, "se(rmean)"]
  if (check_rmst1) {
    for (i in seq_along(labels)) {
      who <- if (is.null(fit$strata)) rep(TRUE, length(time)) else as.character(group) == labels[i]
      r1 <- survrm2_rmst1(time[who], status[who], tau_used)
      stopifnot(abs(r1[["rmst"]] - rmst[i]) <= 1e-12 * rmst[i], abs(r1[["se"]] - se[i]) <= 1e-12 * max(se[i], 1))
    }
  }
  z <- qnorm(1 - (1 - level) / 2)
  contrast <- function(a, b) {
    d <- rmst[a] - rmst[b]; s <- sqrt(se[a]^2 + se[b]^2)
    data.frame(group1 = labels[a], group2 = labels[b], difference = d, se = s, lower = d - z * s,
               upper = d + z * s, p = 2 * pnorm(-abs(d) / s))
  }
  write_expected(data.frame(group = labels, rmst = rmst, se = se, lower = rmst - z * se, upper = rmst + z * se),
                 paste0(name, ".groups.csv"))
  pair <- if (!is.null(compare)) match(compare, labels) else if (length(labels) >= 2) c(1, 2) else NULL
  test <- if (is.null(pair)) data.frame(tau = tau_used, group1 = NA, group2 = NA, difference = NA, se = NA,
                                        lower = NA, upper = NA, p = NA) else
    cbind(data.frame(tau = tau_used), contrast(pair[1], pair[2]))
  write_expected(test, paste0(name, ".test.csv"))
  if (length(labels) > 2) {
    write_expected(do.call(rbind, lapply(2:length(labels), function(k) contrast(1, k))), paste0(name, ".comparisons.csv"))
  }
  if (!is.null(tau)) cirrus_args <- paste(cirrus_args, "--tau", sprintf("%.17g", tau))
  if (!is.null(compare)) cirrus_args <- paste(cirrus_args, "--compare", paste(compare, collapse = ","))
  if (level != 0.95) cirrus_args <- paste(cirrus_args, "--conf-level", level)
  if (extend) cirrus_args <- paste(cirrus_args, "--extend")
  add_case(name, "rmst", paste("--input", paste0(data_name, ".csv"), cirrus_args))
  list(rmst = rmst, se = se, test = test)
}

pbc_trt <- subset(pbc_data, !is.na(trt))
pbc_rmst <- rmst_case("rmst_pbc_trt", "pbc", Surv(time, status == 2) ~ trt, pbc_trt, paste(pbc_args, "--group trt"),
                      pbc_trt$time, as.integer(pbc_trt$status == 2), pbc_trt$trt, tau = 3650)
# The values docs/reference/survival.md section 3 publishes, to their printed digits.
stopifnot(abs(pbc_rmst$rmst - c(2609.1947, 2659.1239)) < 5e-5, abs(pbc_rmst$se - c(103.18760, 107.82789)) < 5e-6,
          abs(pbc_rmst$test$difference - -49.929) < 5e-4, abs(pbc_rmst$test$lower - -342.45) < 5e-3,
          abs(pbc_rmst$test$upper - 242.59) < 5e-3, abs(pbc_rmst$test$p - 0.738) < 5e-4)
rmst_case("rmst_pbc_trt_default_tau", "pbc", Surv(time, status == 2) ~ trt, pbc_trt, paste(pbc_args, "--group trt"),
          pbc_trt$time, as.integer(pbc_trt$status == 2), pbc_trt$trt)
rmst_case("rmst_pbc_trt_reversed_90", "pbc", Surv(time, status == 2) ~ trt, pbc_trt, paste(pbc_args, "--group trt"),
          pbc_trt$time, as.integer(pbc_trt$status == 2), pbc_trt$trt, tau = 2000, compare = c("2", "1"), level = 0.9)
# print(fit, rmean = tau) carries the curves past the follow-up; cirrus with --extend.
rmst_case("rmst_pbc_trt_extend", "pbc", Surv(time, status == 2) ~ trt, pbc_trt, paste(pbc_args, "--group trt"),
          pbc_trt$time, as.integer(pbc_trt$status == 2), pbc_trt$trt, tau = 5000, extend = TRUE)
pbc_stage <- subset(pbc_data, !is.na(stage))
rmst_case("rmst_pbc_stage", "pbc", Surv(time, status == 2) ~ stage, pbc_stage, paste(pbc_args, "--group stage"),
          pbc_stage$time, as.integer(pbc_stage$status == 2), pbc_stage$stage, tau = 3000)
rmst_case("rmst_pbc_all_any_event", "pbc", Surv(time, status > 0) ~ 1, pbc_data, "--time time --event status",
          pbc_data$time, as.integer(pbc_data$status > 0), rep("all", nrow(pbc_data)), tau = 4000)
pbc_lm_trt <- subset(pbc_lm, !is.na(trt))
rmst_case("rmst_pbc_landmark13", "pbc", Surv(time, status == 2) ~ trt, pbc_lm_trt,
          paste(pbc_args, "--group trt --landmark", lm), pbc_lm_trt$time, as.integer(pbc_lm_trt$status == 2),
          pbc_lm_trt$trt, tau = 3650)
# The random data sets above, read back from the CSV files cirrus reads: ties (days),
# near-equal doubles (years), integer and fractional case weights, delayed entry.
for (seed in c(1, 2, 3, 4)) {
  name <- paste0("rand", seed)
  d <- read.csv(file.path(out, paste0(name, ".csv")))
  rmst_case(paste0("rmst_", name), name, Surv(time, event) ~ arm, d, "--time time --event event --group arm",
            d$time, d$event, d$arm, tau = 10)
  rmst_case(paste0("rmst_", name, "_ties_default_tau"), name, Surv(days, event) ~ arm, d,
            "--time days --event event --group arm", d$days, d$event, d$arm)
  rmst_case(paste0("rmst_", name, "_years"), name, Surv(years, event) ~ 1, d, "--time years --event event",
            d$years, d$event, rep("all", nrow(d)), tau = 0.05)
  rmst_case(paste0("rmst_", name, "_weights"), name, Surv(days, event) ~ arm, d,
            "--time days --event event --group arm --weights w", d$days, d$event, d$arm, tau = 120, weights = d$w,
            check_rmst1 = FALSE)
  rmst_case(paste0("rmst_", name, "_entry"), name, Surv(entry, time, event) ~ arm, d,
            "--time time --event event --entry entry --group arm", d$time, d$event, d$arm, tau = 15,
            check_rmst1 = FALSE)
}
# Fractional weights: survmean uses the weighted n.risk and n.event whatever the weights
# (the robust variance survfit switches to for them does not enter rmean).
d <- read.csv(file.path(out, "rand2.csv"))
d$fw <- d$w * 0.37 + d$id %% 7 / 10
write_data(d, "rand2_fractional")
rmst_case("rmst_rand2_fractional_weights", "rand2_fractional", Surv(days, event) ~ arm, d,
          "--time days --event event --group arm --weights fw", d$days, d$event, d$arm, tau = 150, weights = d$fw,
          check_rmst1 = FALSE)
# Fractional weights switch survfit to the infinitesimal-jackknife (robust) variance: standard
# errors, limits of every confidence type, medians' limits, with ties and with delayed entry.
km_case("km_rand2_fractional_weights", "rand2_fractional", Surv(days, event) ~ arm, d,
        "--time days --event event --group arm --weights fw", times = c(10, 50, 100), weights = d$fw)
km_case("km_rand2_fractional_loglog", "rand2_fractional", Surv(days, event) ~ arm, d,
        "--time days --event event --group arm --weights fw", conf_type = "log-log", weights = d$fw)
km_case("km_rand2_fractional_plain", "rand2_fractional", Surv(time, event) ~ 1, d,
        "--time time --event event --weights fw", conf_type = "plain", weights = d$fw)
km_case("km_rand2_fractional_entry", "rand2_fractional", Surv(entry, time, event) ~ arm, d,
        "--time time --event event --entry entry --group arm --weights fw", times = c(2, 8), weights = d$fw)

# ---- Cox proportional hazards ----------------------------------------------------------
# Everything coxph reports that cirrus reports: coefficients, model and robust SEs, hazard
# ratios with limits, z and p, the three tests, log-likelihoods and the iteration count.
cox_case <- function(name, data_name, formula, data, cirrus_args, weights_col = NULL, ...) {
  data$case_weight <- if (is.null(weights_col)) 1 else data[[weights_col]]
  fit <- coxph(formula, data = data, weights = case_weight, ...)
  s <- summary(fit)
  robust <- !is.null(fit$naive.var)
  model_var <- if (robust) fit$naive.var else fit$var
  cf <- s$coefficients
  ci <- s$conf.int
  terms <- data.frame(term = names(fit$coefficients), coef = fit$coefficients,
                      se = sqrt(diag(as.matrix(model_var))),
                      robust_se = if (robust) sqrt(diag(as.matrix(fit$var))) else NA,
                      hr = exp(fit$coefficients), lower = ci[, "lower .95"], upper = ci[, "upper .95"],
                      z = cf[, "z"], p = cf[, ncol(cf)])
  write_expected(terms, paste0(name, ".terms.csv"))
  df <- sum(!is.na(fit$coefficients))
  lrt <- 2 * diff(fit$loglik)
  summ <- data.frame(n = fit$n, events = fit$nevent, iterations = fit$iter,
                     loglik_null = fit$loglik[1], loglik = fit$loglik[2],
                     lrt = lrt, lrt_df = df, lrt_p = pchisq(lrt, df, lower.tail = FALSE),
                     wald = fit$wald.test, wald_df = df, wald_p = pchisq(fit$wald.test, df, lower.tail = FALSE),
                     score = fit$score, score_df = df, score_p = pchisq(fit$score, df, lower.tail = FALSE))
  write_expected(summ, paste0(name, ".fit.csv"))
  add_case(name, "cox", paste("--input", paste0(data_name, ".csv"), cirrus_args))
}

mayo <- "--covariates age,log(bili),log(albumin),log(protime),edema"
pbc312 <- pbc_data[1:312, ]
write_data(pbc312, "pbc312")
# The Mayo risk model (Dickson 1989) refitted as in docs/reference/survival.md section 5.2.
cox_case("cox_mayo_efron", "pbc312", Surv(time, status == 2) ~ age + log(bili) + log(albumin) + log(protime) + edema,
         pbc312, paste(pbc_args, mayo))
cox_case("cox_mayo_breslow", "pbc312",
         Surv(time, status == 2) ~ age + log(bili) + log(albumin) + log(protime) + edema, pbc312,
         paste(pbc_args, mayo, "--ties breslow"), ties = "breslow")
cox_case("cox_mayo_all_rows", "pbc", Surv(time, status == 2) ~ age + log(bili) + log(albumin) + log(protime) + edema,
         pbc_data, paste(pbc_args, mayo))
# survival 3.5-3 wants a cluster for robust = TRUE; pbc ids are unique per row, so
# cluster(id) is each row its own cluster, which is what cirrus --robust means.
cox_case("cox_mayo_robust", "pbc312",
         Surv(time, status == 2) ~ age + log(bili) + log(albumin) + log(protime) + edema + cluster(id), pbc312,
         paste(pbc_args, mayo, "--robust"))
cox_case("cox_pbc_strata_sex", "pbc", Surv(time, status == 2) ~ age + log(bili) + strata(sex), pbc_data,
         paste(pbc_args, "--covariates age,log(bili) --strata sex"))
cox_case("cox_pbc_landmark13", "pbc", Surv(time, status == 2) ~ trt + age + log(bili), pbc_lm,
         paste(pbc_args, "--covariates trt,age,log(bili) --landmark", lm))
# (start, stop] rows: pbc split at day 1000 (survSplit) must give the same fit as unsplit.
pbc_split <- survSplit(Surv(time, status == 2) ~ ., data = pbc_data, cut = 1000, episode = "ep")
names(pbc_split)[names(pbc_split) == "event"] <- "death"
write_data(pbc_split, "pbc_split")
cox_case("cox_pbc_split", "pbc_split", Surv(tstart, time, death) ~ age + log(bili) + edema, pbc_split,
         "--start tstart --stop time --event death --covariates age,log(bili),edema")
# Time-varying labs from pbcseq (tmerge), the model of section 5.1.
first <- subset(pbcseq, !duplicated(id))
seq2 <- tmerge(first[, c("id", "trt", "age", "sex")], first, id = id, death = event(futime, status == 2))
seq2 <- tmerge(seq2, pbcseq, id = id, bili = tdc(day, bili), albumin = tdc(day, albumin), protime = tdc(day, protime))
write_data(seq2, "pbcseq_tv")
cox_case("cox_pbcseq_timevarying", "pbcseq_tv", Surv(tstart, tstop, death) ~ age + log(bili) + log(albumin) + log(protime),
         seq2, "--start tstart --stop tstop --event death --covariates age,log(bili),log(albumin),log(protime)")
cox_case("cox_pbcseq_cluster", "pbcseq_tv", Surv(tstart, tstop, death) ~ age + log(bili) + cluster(id), seq2,
         "--start tstart --stop tstop --event death --covariates age,log(bili) --cluster id")

for (seed in c(11, 12)) {
  set.seed(seed)
  n <- c(500, 5000)[seed - 10]
  d <- data.frame(x1 = rnorm(n), x2 = rbinom(n, 1, 0.4), x3 = runif(n), cl = sample(1:(n / 5), n, replace = TRUE))
  rate <- exp(0.5 * d$x1 - 0.7 * d$x2 + 0.3 * d$x3) * 0.1
  te <- rexp(n, rate); tc <- runif(n, 0, 20)
  d$time <- pmin(te, tc); d$event <- as.integer(te <= tc)
  d$days <- ceiling(d$time * 10)
  d$w <- sample(1:3, n, replace = TRUE)
  d$fw <- runif(n, 0.5, 2)
  d$entry <- ifelse(runif(n) < 0.3, runif(n) * d$time, 0)
  d$s <- sample(c("u", "v"), n, replace = TRUE)
  name <- paste0("coxrand", seed)
  write_data(d, name)
  base <- "--time time --event event --covariates x1,x2,x3"
  cox_case(paste0("cox_", name), name, Surv(time, event) ~ x1 + x2 + x3, d, base)
  cox_case(paste0("cox_", name, "_ties_efron"), name, Surv(days, event) ~ x1 + x2 + x3, d,
           "--time days --event event --covariates x1,x2,x3")
  cox_case(paste0("cox_", name, "_ties_breslow"), name, Surv(days, event) ~ x1 + x2 + x3, d,
           "--time days --event event --covariates x1,x2,x3 --ties breslow", ties = "breslow")
  cox_case(paste0("cox_", name, "_weights"), name, Surv(days, event) ~ x1 + x2 + x3, d,
           "--time days --event event --covariates x1,x2,x3 --weights w", weights_col = "w")
  cox_case(paste0("cox_", name, "_fractional_weights"), name, Surv(days, event) ~ x1 + x2 + x3, d,
           "--time days --event event --covariates x1,x2,x3 --weights fw", weights_col = "fw")
  cox_case(paste0("cox_", name, "_cluster"), name, Surv(days, event) ~ x1 + x2 + x3 + cluster(cl), d,
           "--time days --event event --covariates x1,x2,x3 --cluster cl")
  cox_case(paste0("cox_", name, "_entry"), name, Surv(entry, time, event) ~ x1 + x2 + x3, d,
           "--entry entry --time time --event event --covariates x1,x2,x3")
  cox_case(paste0("cox_", name, "_entry_ties_robust"), name, Surv(entry, days, event) ~ x1 + x2 + x3 + cluster(cl), d,
           "--entry entry --time days --event event --covariates x1,x2,x3 --cluster cl")
  cox_case(paste0("cox_", name, "_strata"), name, Surv(days, event) ~ x1 + x2 + strata(s), d,
           "--time days --event event --covariates x1,x2 --strata s")
}

# ---- Proportional-hazards test (cox.zph, survival >= 3.0) -------------------------------
# cox.zph(fit)$table: chisq, df, p per term and GLOBAL; cirrus runs `cox ... --zph`.
zph_case <- function(name, data_name, formula, data, cirrus_args, transform = "km", weights_col = NULL, ...) {
  # as.numeric: cox.zph's C code wants double weights.
  data$case_weight <- as.numeric(if (is.null(weights_col)) 1 else data[[weights_col]])
  # x, y and model kept: cox.zph would otherwise re-evaluate the call outside this function.
  fit <- coxph(formula, data = data, weights = case_weight, x = TRUE, y = TRUE, model = TRUE, ...)
  tbl <- cox.zph(fit, transform = transform)$table
  write_expected(data.frame(term = rownames(tbl), chisq = tbl[, "chisq"], df = tbl[, "df"], p = tbl[, "p"]),
                 paste0(name, ".zph.csv"))
  add_case(name, "zph", paste("--input", paste0(data_name, ".csv"), cirrus_args, "--zph --zph-transform", transform))
}
mayo_formula <- Surv(time, status == 2) ~ age + log(bili) + log(albumin) + log(protime) + edema
# Section 5.2: log(protime) 5.352, edema 4.295, GLOBAL 10.551 on 5 df.
zph_case("zph_mayo_efron", "pbc312", mayo_formula, pbc312, paste(pbc_args, mayo))
zph_case("zph_mayo_identity", "pbc312", mayo_formula, pbc312, paste(pbc_args, mayo), transform = "identity")
zph_case("zph_mayo_breslow", "pbc312", mayo_formula, pbc312, paste(pbc_args, mayo, "--ties breslow"), ties = "breslow")
zph_case("zph_mayo_rank", "pbc312", mayo_formula, pbc312, paste(pbc_args, mayo), transform = "rank")
zph_case("zph_mayo_log", "pbc312", mayo_formula, pbc312, paste(pbc_args, mayo), transform = "log")
zph_case("zph_pbc_strata_sex", "pbc", Surv(time, status == 2) ~ age + log(bili) + strata(sex), pbc_data,
         paste(pbc_args, "--covariates age,log(bili) --strata sex"))
zph_case("zph_pbc_split", "pbc_split", Surv(tstart, time, death) ~ age + log(bili) + edema, pbc_split,
         "--start tstart --stop time --event death --covariates age,log(bili),edema")
for (seed in c(11, 12)) {
  name <- paste0("coxrand", seed)
  d <- read.csv(file.path(out, paste0(name, ".csv")))
  ties_args <- "--time days --event event --covariates x1,x2,x3"
  zph_case(paste0("zph_", name, "_ties_efron"), name, Surv(days, event) ~ x1 + x2 + x3, d, ties_args)
  zph_case(paste0("zph_", name, "_ties_identity"), name, Surv(days, event) ~ x1 + x2 + x3, d, ties_args,
           transform = "identity")
  zph_case(paste0("zph_", name, "_ties_breslow"), name, Surv(days, event) ~ x1 + x2 + x3, d,
           paste(ties_args, "--ties breslow"), ties = "breslow")
  zph_case(paste0("zph_", name, "_weights"), name, Surv(days, event) ~ x1 + x2 + x3, d,
           paste(ties_args, "--weights w"), weights_col = "w")
  zph_case(paste0("zph_", name, "_fractional_weights"), name, Surv(days, event) ~ x1 + x2 + x3, d,
           paste(ties_args, "--weights fw"), weights_col = "fw", transform = "identity")
  zph_case(paste0("zph_", name, "_strata"), name, Surv(days, event) ~ x1 + x2 + strata(s), d,
           "--time days --event event --covariates x1,x2 --strata s")
  zph_case(paste0("zph_", name, "_entry"), name, Surv(entry, days, event) ~ x1 + x2 + x3, d,
           "--entry entry --time days --event event --covariates x1,x2,x3")
}
close(cases)
