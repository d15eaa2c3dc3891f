# The R side of bench/compare/longitudinal.sh.
#   Rscript longitudinal_r.R data SUBJECTS VISITS SEED FILE   writes a two-arm trial, long format
#   Rscript longitudinal_r.R gls FILE                         times nlme::gls (unstructured, REML)
#   Rscript longitudinal_r.R change FILE                      times read.csv + t.test/wilcox.test per arm and visit
# Data: baseline albumin about N(32, 4^2) g/L, the change at visit k a
# random-intercept-and-slope path plus noise, a treatment effect growing
# with k, and about 3% of subjects dropping out after each visit (monotone
# missingness, missing at random).
args <- commandArgs(trailingOnly = TRUE)
mode <- args[1]
if (mode == "data") {
  n <- as.integer(args[2]); V <- as.integer(args[3]); set.seed(as.integer(args[4])); file <- args[5]
  arm <- ifelse(runif(n) < 0.5, "control", "treated")
  base <- rnorm(n, 32, 4)
  u0 <- rnorm(n, 0, 1.5); u1 <- rnorm(n, 0, 0.3)
  last <- pmin(V, 1 + rgeom(n, 0.03))   # the last post-baseline visit seen
  rows <- rep(seq_len(n), last + 1)
  k <- sequence(last + 1) - 1
  value <- base[rows] + ifelse(k == 0, 0, -0.2 * k - 0.1 * base[rows] + 3.2 + u0[rows] + u1[rows] * k +
                                 (arm[rows] == "treated") * 0.25 * k + rnorm(length(rows), 0, 1))
  d <- data.frame(subject = sprintf("P%06d", rows), arm = arm[rows], week = 4 * k, albumin = round(value, 2))
  write.csv(d, file, row.names = FALSE, quote = FALSE)
} else if (mode == "gls") {
  suppressPackageStartupMessages(library(nlme))
  d <- read.csv(args[2])
  b <- d[d$week == 0, c("subject", "albumin")]; names(b)[2] <- "baseline"
  f <- merge(d[d$week != 0, ], b); f <- f[order(f$subject, f$week), ]
  f$change <- f$albumin - f$baseline; f$visit <- factor(f$week); f$k <- as.integer(f$visit)
  f$arm <- factor(f$arm)
  seconds <- system.time(fit <- gls(change ~ baseline + visit * arm, data = f,
    correlation = corSymm(form = ~ k | subject), weights = varIdent(form = ~ 1 | visit), method = "REML"))["elapsed"]
  cat(sprintf("r_gls_seconds %.3f\n", seconds))
  cat(sprintf("r_gls_loglik %.10f\n", as.numeric(logLik(fit))))
} else if (mode == "change") {
  seconds <- system.time({
    d <- read.csv(args[2])
    b <- d[d$week == 0, c("subject", "albumin")]; names(b)[2] <- "baseline"
    f <- merge(d[d$week != 0, ], b)
    out <- by(f, list(f$arm, f$week), function(x) {
      list(t.test(x$albumin, x$baseline, paired = TRUE)$p.value,
           suppressWarnings(wilcox.test(x$albumin, x$baseline, paired = TRUE))$p.value)
    })
  })["elapsed"]
  cat(sprintf("r_change_seconds %.3f\n", seconds))
}
