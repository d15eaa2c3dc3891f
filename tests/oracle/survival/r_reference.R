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
                      n_censor = fit$n.censor, survival = fit$surv, std_err = fit$std.err * fit$surv,
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
close(cases)
