/* seed_ups.h: facts from the seed document 000_9dd3dd296e85a4ef.txt, IANA's
 * search for "ups": its 27 records in registry order, and the 12 contacts
 * they cite, sorted by ID. Shared by the tests that check the search against
 * the whole registry, through the API and over HTTP. */
#ifndef PR_TEST_SEED_UPS_H
#define PR_TEST_SEED_UPS_H

static const struct {
    const char *service;
    int port;
    const char *protocol;
} ups_rows[27] = {
    {"ups", 401, "tcp"},
    {"ups", 401, "udp"},
    {"upsnotifyprot", 2648, "tcp"},
    {"upsnotifyprot", 2648, "udp"},
    {"tmesis-upshot", 2798, "tcp"},
    {"tmesis-upshot", 2798, "udp"},
    {"santak-ups", 3038, "tcp"},
    {"santak-ups", 3038, "udp"},
    {"nut", 3493, "tcp"},
    {"nut", 3493, "udp"},
    {"apcupsd", 3551, "tcp"},
    {"apcupsd", 3551, "udp"},
    {"tag-ups-1", 3573, "tcp"},
    {"tag-ups-1", 3573, "udp"},
    {"ups-engine", 3664, "tcp"},
    {"ups-engine", 3664, "udp"},
    {"upstriggervsw", 3786, "tcp"},
    {"upstriggervsw", 3786, "udp"},
    {"boxbackupstore", 4186, "tcp"},
    {"mgesupervision", 4679, "tcp"},
    {"mgesupervision", 4679, "udp"},
    {"mgemanagement", 4680, "tcp"},
    {"mgemanagement", 4680, "udp"},
    {"afs3-prserver", 7002, "tcp"},
    {"afs3-prserver", 7002, "udp"},
    {"ups-onlinet", 7010, "tcp"},
    {"ups-onlinet", 7010, "udp"},
};

static const char *const ups_contacts[12] = {
    "Brian_Schenkenberger", "Charles_Bennett",
    "Chris_Wilson",         "Evgeny_Klimov",
    "James_Goddard",        "Jim_Thompson",
    "Lecuivre_J",           "Mario_Leboute",
    "Mark_Tim_Junghanns",   "Network_UPS_Tools_Project",
    "Riccardo_Facchetti",   "Tom_Liu",
};

#endif
