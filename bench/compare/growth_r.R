# The R side of bench/compare/growth.sh: makes N subjects in memory with the
# distribution of growth.sh's generator (two arms, exponential event times,
# uniform censoring, five covariates), then times survfit + survdiff and coxph
# (Efron, five covariates) once each. The process's peak memory is measured
# from outside (GNU time). Usage: Rscript growth_r.R N
suppressPackageStartupMessages(library(survival))
n <- as.integer(commandArgs(trailingOnly = TRUE)[1])
set.seed(20261122)
arm <- sample(1:2, n, replace = TRUE)
t_event <- rexp(n, ifelse(arm == 1, 0.10, 0.07)); t_cens <- runif(n, 0, 30)
d <- data.frame(time = pmin(t_event, t_cens), status = as.integer(t_event <= t_cens), arm = arm)
d$x1 <- rnorm(n); d$x2 <- rnorm(n); d$x3 <- rnorm(n); d$x4 <- rbinom(n, 1, 0.4); d$x5 <- runif(n)
rm(arm, t_event, t_cens)
elapsed <- function(expr) as.numeric(system.time(expr)["elapsed"])
km <- elapsed({survfit(Surv(time, status) ~ arm, data = d); survdiff(Surv(time, status) ~ arm, data = d)})
cox <- elapsed(coxph(Surv(time, status) ~ x1 + x2 + x3 + x4 + x5, data = d))
cat(sprintf("r_km_logrank_seconds %.4f\nr_coxph_seconds %.4f\n", km, cox))
