#!/bin/bash
. "${OB_SRCDIR:-.}/tests/e2e/lib.sh"
t_done
