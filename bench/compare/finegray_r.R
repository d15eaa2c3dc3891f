# The R side of bench/compare/finegray.sh: writes the data sets (N subjects for
# the comparison with crr, and LARGE subjects for cirrus alone), then times
# cmprsk::crr (5 covariates, variance = TRUE, its defaults) once on the first,
# in memory. Usage: Rscript finegray_r.R N LARGE OUTDIR
# Data as docs/reference/survival.md section 4.2: x1..x3 normal, x4 Bernoulli,
# x5 uniform; exponential times of the two causes, uniform censoring plus
# administrative censoring at 10 (continuous times).
# Prints crr's seconds, then its coefficients for the answer check.
suppressPackageStartupMessages(library(cmprsk))
args <- commandArgs(trailingOnly = TRUE)
n <- as.integer(args[1]); large <- as.integer(args[2]); out <- args[3]
simulate <- function(n, seed) {
  set.seed(seed)
  x <- cbind(x1 = rnorm(n), x2 = rnorm(n), x3 = rnorm(n), x4 = rbinom(n, 1, 0.5), x5 = runif(n))
  lp <- drop(x %*% c(0.4, -0.3, 0.2, 0.5, -0.6))
  t1 <- rexp(n, 0.08 * exp(lp))
  t2 <- rexp(n, 0.03 * exp(-0.5 * x[, 1]))
  tc <- pmin(runif(n, 0, 25), 10)
  tmin <- pmin(t1, t2, tc)
  data.frame(time = tmin, cause = ifelse(tc == tmin, 0L, ifelse(t1 == tmin, 1L, 2L)), x)
}
d <- simulate(n, 20261121)
write.csv(d, file.path(out, "finegray.csv"), row.names = FALSE)
if (large > 0) write.csv(simulate(large, 20261122), file.path(out, "finegray_large.csv"), row.names = FALSE)
x <- as.matrix(d[, paste0("x", 1:5)])
invisible(gc())
seconds <- system.time(fit <- crr(d$time, d$cause, x, failcode = 1, cencode = 0, variance = TRUE))["elapsed"]
cat(sprintf("r_crr_seconds %.3f\n", seconds))
cat(sprintf("r_crr_coef_%d %.12g\n", 1:5, fit$coef), sep = "")
cat(sprintf("r_crr_se_%d %.12g\n", 1:5, sqrt(diag(fit$var))), sep = "")
