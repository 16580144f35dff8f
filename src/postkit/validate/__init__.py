"""postkit validate: front matter and body checks, one rule per module, judged by an engine that stamps codes and severities."""
