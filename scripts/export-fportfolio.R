#!/usr/bin/env Rscript
# Export the daily price series that Rmetrics' fPortfolio package ships (Debian: r-cran-fportfolio) as wide CSVs
# that corrwatch reads with --source csv:<file>, for checking the detector on real data beyond EuStockMarkets:
#
#   SPISECTOR  Swiss Performance Index and its 9 sector indices, 1999-12-30 to 2008-10-17 (2,216 trading days:
#              the crash after 11 September 2001, the 2002 bear market, February and August 2007, January and
#              September-October 2008)
#   SWX        Swiss bond, equity and real-estate indices and Pictet's LPP pension benchmarks, 2000-01-03 to
#              2007-05-08 (1,917 trading days)
#
# Unlike EuStockMarkets these carry the exchanges' real trading dates (timeSeries objects).
#
# Usage: Rscript scripts/export-fportfolio.R [out-dir]     (default: data/, git-ignored; npm run data:fportfolio)

args <- commandArgs(trailingOnly = TRUE)
out <- if (length(args) >= 1) args[[1]] else "data"
suppressMessages(library(fPortfolio))
dir.create(out, showWarnings = FALSE, recursive = TRUE)
for (name in c("SPISECTOR", "SWX")) {
  x <- get(name)
  df <- data.frame(date = format(as.Date(as.character(time(x))), "%Y-%m-%d"), as.data.frame(x), check.names = FALSE)
  path <- file.path(out, paste0(tolower(name), ".csv"))
  write.csv(df, path, row.names = FALSE, quote = FALSE)
  cat(sprintf("wrote %d rows of %s (%s to %s) to %s\n", nrow(df), paste(colnames(x), collapse = ","), df$date[1], df$date[nrow(df)], path))
}
