/* users.c - user records. The identity issue fills this in. */
#include "users.h"

#include <stdio.h>

int users_cli_add(int argc, char **argv)
{
    fprintf(stderr, "portal: user add needs the identity module (not built yet)\n");
    return 1;
}
