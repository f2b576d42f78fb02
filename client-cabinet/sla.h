/* sla.h - support-ticket SLA: business hours, targets per priority, due times. */
#ifndef PORTAL_SLA_H
#define PORTAL_SLA_H

#include <stdbool.h>
#include <time.h>

enum sla_priority { SLA_LOW, SLA_NORMAL, SLA_HIGH, SLA_URGENT, SLA_NPRIORITIES };

/* One opening window per weekday (0 = Sunday, as struct tm), minutes after local
 * midnight; open == close means closed all day. */
struct sla_hours {
    int open[7], close[7];
};

struct sla_targets {
    long first_response[SLA_NPRIORITIES]; /* business seconds */
    long resolution[SLA_NPRIORITIES];
};

/* Parses "Mon-Fri 09:00-18:00, Sat 10:00-14:00" (or "24/7"). 0, or -1 with a reason
 * in err. */
int sla_parse_hours(const char *spec, struct sla_hours *out, char *err, size_t errsize);
/* Parses "urgent=1h high=4h normal=8h low=16h" (business hours h or minutes m,
 * separated by spaces or commas); every priority must be named. 0, or -1 with a reason
 * in err. */
int sla_parse_targets(const char *spec, long out[SLA_NPRIORITIES], char *err, size_t errsize);

/* The moment `seconds` of business time after start, in the process time zone (TZ);
 * start itself may lie outside business hours. Returns (time_t)-1 when the hours have
 * no open minute at all. */
time_t sla_add(const struct sla_hours *h, time_t start, long seconds);

/* "low"... "urgent" -> enum, -1 when unknown. */
int sla_priority_from_name(const char *name);

/* The configured hours and targets (PORTAL_SLA_*), parsed once by sla_init(), which
 * also sets the process time zone to PORTAL_SLA_TIMEZONE. 0 or -1 (printed). */
int sla_init(void);
const struct sla_hours *sla_hours(void);
const struct sla_targets *sla_targets(void);

/* Due times for a ticket of priority opened (or reopened) at start, as
 * "YYYY-MM-DD HH:MM:SS" UTC strings in the caller's buffers (20 bytes each). */
void sla_due_times(int priority, time_t start, char first[20], char resolution[20]);

#endif
