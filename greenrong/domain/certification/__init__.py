"""Green certification (绿色认定): rubrics, scoring, the workflow and its history."""
