"""Every DGFiP format choice that is NOT verified against an official text, in one place.

Source: ../shared/specs/finance.md. Each constant names the paragraph that explains why it
is unverified ([NV]). Before go-live, the commune's SGC / comptable must confirm each of
them (appendix A of the spec); changing one here changes every Datamatrix and PES file,
so change them here only.
"""

# --------------------------------------------------------------------------------------
# Datamatrix payload (finance.md §1.2, §1.7)
# --------------------------------------------------------------------------------------

#: §1.2 / §1.7.3: the 40-character "données métiers" zone (positions 1–40). Both open
#: implementations leave it blank; whether an issuer may use it is [NV]. Leave it blank.
BUSINESS_DATA_ZONE = " " * 40

#: §1.2: reserved zone (positions 41–64), all spaces in both implementations.
RESERVED_ZONE = " " * 24

#: §1.2: positions 72–73, constant "00" after the product code.
PRODUCT_CODE_SUFFIX = "00"

#: §1.7.4: code émetteur (positions 77–82), constant in Noethys and Bluspark; origin [NV].
ISSUER_CODE = "940033"

#: §1.7.4: code établissement bancaire (positions 83–86), constant; [NV].
BANK_ESTABLISHMENT_CODE = "0001"

#: §1.7.4: "application code" (position 115), constant; [NV].
APPLICATION_CODE = "4"

#: §1.7.4: code document (position 116), constant; [NV].
DOCUMENT_CODE = "9"

#: §1.7.4: code nature (position 119), constant; [NV].
NATURE_CODE = "8"

#: §1.7.4: code de traitement Banque de France (positions 120–121), constant; [NV].
BDF_PROCESSING_CODE = "06"

#: §1.7.1: the debt key (mod 23) follows the Noethys variant (concatenation
#: yy‖month‖"00"‖NumDette on 13 digits), the only one claiming DGFiP validation.
#: Bluspark's variant (sum) is NOT implemented.
DEBT_KEY_VARIANT = "noethys-concatenation"

#: §1.3: NumDette is zero-padded to this width inside the debt key.
DEBT_KEY_NUMDETTE_WIDTH = 13

#: §1.2 note: Noethys encodes the amount still due at print time. Which amount the DGFiP
#: expects for a partly paid invoice is [NV]. We encode the amount DUE (total − paid);
#: `documents.InvoiceDocument.datamatrix` callers must pass `due_cents`.
DATAMATRIX_AMOUNT = "due"

#: §1.9: the Datamatrix is not printed when the piece is collected by direct debit or
#: already settled (design rule so nobody pays twice; [NV], no official rule found).
HIDE_DATAMATRIX_WHEN_DEBITED_OR_SETTLED = True

#: §1.9: default wording next to the code (a per-commune setting should override it;
#: official wording [NV]).
DEFAULT_PROXIMITY_PAYMENT_MENTION = (
    "Avec cet avis, vous pouvez payer en espèces (jusqu'à 300 €) ou par carte bancaire "
    "auprès d'un buraliste ou partenaire agréé. Liste des points de paiement : "
    "www.impots.gouv.fr/portail/paiement-de-proximite"
)

# --------------------------------------------------------------------------------------
# Période (Per) and months 10–12 (finance.md §1.7.2, §3.3)
# --------------------------------------------------------------------------------------

#: §1.7.2: months whose one-character `Per` coding is unambiguous (the month digit).
PERIOD_CODE_CONFIRMED_MONTHS = frozenset(range(1, 10))


def period_code(month: int) -> str:
    """The one-character PES `Per` (and Datamatrix position 68) for an invoicing month.

    [NV] §1.7.2: we follow Noethys, the implementation the DGFiP is said to have validated:
    the first character of the month number, so October, November and December all
    become "1". `period_code_is_confirmed` tells callers when to warn the agent."""
    if not 1 <= month <= 12:
        raise ValueError(f"Mois de facturation invalide : {month} (attendu 1 à 12).")
    return str(month)[0]


def period_code_is_confirmed(month: int) -> bool:
    """False for October–December, whose `Per` coding awaits the SGC (§1.7.2)."""
    return month in PERIOD_CODE_CONFIRMED_MONTHS


def key_month_digits(month: int) -> str:
    """The month as it enters the debt key (Cle2, §1.3) and Cle1 (§3.3).

    [NV] §1.7.2 / §3.3: Noethys uses the FULL month number, unpadded ("3", "10"), while
    `Per` is truncated; for months 1–9 both agree. Kept as Noethys for months 10–12."""
    if not 1 <= month <= 12:
        raise ValueError(f"Mois de facturation invalide : {month} (attendu 1 à 12).")
    return str(month)


# --------------------------------------------------------------------------------------
# PES V2 ORMC (finance.md §3)
# --------------------------------------------------------------------------------------

#: §3.2: Noethysweb encodes ISO-8859-1, desktop Noethys UTF-8; which is required is [NV]
#: (appendix A.4). Text fields are upper-cased without accents anyway (plain ASCII).
PES_ENCODING = "ISO-8859-1"

PES_NAMESPACE = "http://www.minefi.gouv.fr/cp/helios/pes_v2/Rev0/aller"
PES_FILE_TYPE = "PESORMC"
PES_VERSION = "2"
#: §3.2: EnTeteRecette/IdVer and InfoDematerialisee (1 would require a signature).
PES_RECETTE_ID_VER = "2"
PES_INFO_DEMATERIALISEE = "0"
#: §3.2 / appendix A.4: TypBord, TypPce, NatPce values for canteen ORMC ([NV], Noethys).
PES_TYP_BORD = "06"
PES_TYP_PCE = "15"
PES_NAT_PCE = "01"
#: §3.2: accounting nature; Noethysweb hard-codes 588. Overridable per deposit ([NV]).
PES_DEFAULT_NATURE = "588"
PES_MAJO = "0"
PES_TVA_INTRA_COM = "0"
#: §3.2: Tiers/InfoTiers/TypTiers and Adresse/TypAdr, CodRes.
PES_TYP_TIERS = "01"
PES_TYP_ADR = "1"
PES_COD_RES = "0"
#: §3.2: NumDette in the PES as the plain number (Noethysweb), zero-padded to 15 only in
#: the Datamatrix; both come from `datamatrix.debt_reference`.
PES_NUM_DETTE_ZERO_PADDED = False
#: §3.4: direct debit inside the PES.
PES_NAT_PREL = "01"
PES_PER_PREL = "07"
PES_SEQUENCE_CODES = {"OOFF": "01", "FRST": "02", "RCUR": "03", "FNAL": "04"}
#: §3.2: field lengths Noethysweb truncates to (a lower bound of the XSD's).
PES_MAX_LENGTHS = {
    "NomFic": 100, "IdPost": 7, "IdColl": 14, "CodCol": 3, "CodBud": 10, "IdBord": 7,
    "Objet": 160, "ObjPce": 160, "ObjLignePce": 160, "NumDette": 15, "NumeroFacture": 20,
    "CodProdLoc": 4, "Nom": 38, "Prenom": 38, "Adr2": 38, "Ville": 38, "TitCpte": 32,
    "LibPrel": 140, "CP": 5, "RefUniMdt": 35,
}
#: §3.2: InfoTiers/CatTiers and NatJur for a household (a private person): "01" for both
#: is the usual coding of "personne physique" / "particulier"; [NV] with the SGC.
PES_DEFAULT_CAT_TIERS = "01"
PES_DEFAULT_NAT_JUR = "01"
