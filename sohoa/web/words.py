"""The names people read for what the contract calls by code: roles, document types, fields, batch statuses and
kinds, register book types. Each is a message (English), translated where it is shown."""
from __future__ import annotations

from sohoa.web.i18n import N_

ROLE_NAMES = {"scanner": N_("Scanning team"), "officer": N_("Officer"), "reviewer": N_("Reviewer"),
              "archivist": N_("Archivist"), "admin": N_("Administrator")}
DOC_TYPE_NAMES = {
    "birth_certificate": N_("Birth certificate"), "marriage_certificate": N_("Marriage certificate"),
    "death_extract": N_("Death registration extract"), "criminal_record": N_("Criminal record certificate"),
    "citizen_id": N_("Citizen identity card"), "driving_license": N_("Driving licence"),
    "land_use_certificate": N_("Land use right certificate"), "application_form": N_("Application form"),
    "decision": N_("Decision"), "official_letter": N_("Official letter"),
    "birth_register_page": N_("Birth register page"), "marriage_register_page": N_("Marriage register page"),
    "death_register_page": N_("Death register page"), "other": N_("Other document"),
}
FIELD_NAMES = {
    "full_name": N_("Full name"), "date_of_birth": N_("Date of birth"), "gender": N_("Sex"),
    "ethnicity": N_("Ethnicity"), "nationality": N_("Nationality"), "place_of_birth": N_("Place of birth"),
    "hometown": N_("Place of origin"), "personal_id": N_("Personal ID number"), "father_name": N_("Father's name"),
    "mother_name": N_("Mother's name"), "registration_number": N_("Registration number"),
    "book_number": N_("Register book number"), "registration_date": N_("Registration date"),
    "registration_authority": N_("Registering authority"), "husband_name": N_("Husband's name"),
    "husband_date_of_birth": N_("Husband's date of birth"), "husband_personal_id": N_("Husband's personal ID"),
    "wife_name": N_("Wife's name"), "wife_date_of_birth": N_("Wife's date of birth"),
    "wife_personal_id": N_("Wife's personal ID"), "date_of_death": N_("Date of death"),
    "place_of_death": N_("Place of death"), "record_number": N_("Record number"), "issue_date": N_("Date of issue"),
    "place_of_residence": N_("Place of residence"), "expiry_date": N_("Expiry date"),
    "license_number": N_("Licence number"), "license_class": N_("Licence class"),
    "certificate_number": N_("Certificate serial"), "owner_name": N_("Land user's name"),
    "parcel_number": N_("Parcel number"), "map_sheet_number": N_("Map sheet number"), "area_m2": N_("Area (m²)"),
    "address": N_("Address"), "applicant_name": N_("Applicant's name"), "procedure_name": N_("Procedure"),
    "submission_date": N_("Date submitted"), "phone": N_("Phone"), "document_number": N_("Number and symbol"),
    "issuing_authority": N_("Issuing body"), "subject": N_("Subject"), "signer_name": N_("Signed by"),
    "dossier_code": N_("Dossier code"), "result_code": N_("Result code"),
}
BATCH_STATUS_NAMES = {"queued": N_("Queued"), "running": N_("Running"), "done": N_("Done"), "failed": N_("Failed"),
                      "unknown": N_("Unknown")}
KIND_NAMES = {"dossier": N_("Dossier"), "result": N_("Result"), "registry_book": N_("Civil-registry book")}
BOOK_TYPE_NAMES = {"birth": N_("Births"), "marriage": N_("Marriages"), "death": N_("Deaths")}
