// GNU readline and its history library. readline.h expects stdio.h first.
#include <stdio.h>
#include <readline/readline.h>
#include <readline/history.h>
