#!/usr/bin/env Rscript
# Export R's datasets::EuStockMarkets (daily closing prices of DAX, SMI, CAC and FTSE, 1991-1998; 1,860 rows) as
# a wide CSV that corrwatch reads with --source csv:<file>:
#
#   date,DAX,SMI,CAC,FTSE
#   1991-07-01,1628.75,1678.1,1772.8,2443.6
#
# The series is a `ts` with start c(1991, 130) and frequency 260: an index of trading days ("business time",
# weekends and holidays omitted), with no calendar dates attached. The dates written here are a business-day
# labelling of that index: consecutive weekdays (Monday to Friday) from Monday 1991-07-01, one per row, with no
# holidays. They are not the exchanges' real trading dates; a weekday calendar is what they show.
#
# Usage: Rscript scripts/export-eustockmarkets.R [out.csv]     (default: data/eustockmarkets.csv, git-ignored)
# (npm run data:eustock)

args <- commandArgs(trailingOnly = TRUE)
out <- if (length(args) >= 1) args[[1]] else file.path("data", "eustockmarkets.csv")

x <- datasets::EuStockMarkets
n <- nrow(x)
stopifnot(n == 1860, identical(colnames(x), c("DAX", "SMI", "CAC", "FTSE")))

# Enough calendar days for n weekdays, then keep Monday (1) to Friday (5); %u does not depend on the locale.
days <- seq(as.Date("1991-07-01"), by = "day", length.out = ceiling(n * 7 / 5) + 7)
weekdays_only <- days[as.integer(format(days, "%u")) <= 5][seq_len(n)]

df <- data.frame(date = format(weekdays_only, "%Y-%m-%d"), x, check.names = FALSE)
dir.create(dirname(out), showWarnings = FALSE, recursive = TRUE)
# write.csv writes numbers with up to 15 significant digits: the closes (at most 2 decimals) exactly as R holds them.
write.csv(df, out, row.names = FALSE, quote = FALSE)
cat(sprintf("wrote %d rows (%s to %s) to %s\n", n, df$date[1], df$date[n], out))
