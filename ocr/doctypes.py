"""The document types of CONTRACT §3 and the fields each one carries."""
from __future__ import annotations

FIELDS: dict[str, list[str]] = {
    "birth_certificate": ["full_name", "date_of_birth", "gender", "ethnicity", "nationality", "place_of_birth",
                          "hometown", "personal_id", "father_name", "mother_name", "registration_number",
                          "book_number", "registration_date", "registration_authority"],
    "marriage_certificate": ["husband_name", "husband_date_of_birth", "husband_personal_id", "wife_name",
                             "wife_date_of_birth", "wife_personal_id", "registration_number", "book_number",
                             "registration_date", "registration_authority"],
    "death_extract": ["full_name", "date_of_birth", "personal_id", "date_of_death", "place_of_death",
                      "registration_number", "book_number", "registration_date", "registration_authority"],
    "criminal_record": ["full_name", "date_of_birth", "personal_id", "place_of_birth", "record_number", "issue_date"],
    "citizen_id": ["personal_id", "full_name", "date_of_birth", "gender", "nationality", "hometown",
                   "place_of_residence", "expiry_date"],
    "driving_license": ["license_number", "full_name", "date_of_birth", "license_class", "issue_date", "expiry_date"],
    "land_use_certificate": ["certificate_number", "owner_name", "personal_id", "parcel_number", "map_sheet_number",
                             "area_m2", "address", "issue_date"],
    "application_form": ["applicant_name", "personal_id", "procedure_name", "submission_date", "phone"],
    "decision": ["document_number", "issue_date", "issuing_authority", "subject", "signer_name"],
    "official_letter": ["document_number", "issue_date", "issuing_authority", "subject", "signer_name"],
    "other": [],
}
RECORD_FIELDS: dict[str, list[str]] = {
    "birth_register_page": ["registration_number", "registration_date", "full_name", "date_of_birth", "gender",
                            "father_name", "mother_name"],
    "marriage_register_page": ["registration_number", "registration_date", "husband_name", "wife_name"],
    "death_register_page": ["registration_number", "registration_date", "full_name", "date_of_death"],
}
# What a reviewer must see filled in; a document without one of these is flagged.
REQUIRED: dict[str, list[str]] = {
    "birth_certificate": ["full_name", "date_of_birth", "registration_date"],
    "marriage_certificate": ["husband_name", "wife_name", "registration_date"],
    "death_extract": ["full_name", "date_of_death"],
    "criminal_record": ["full_name", "date_of_birth"],
    "citizen_id": ["personal_id", "full_name", "date_of_birth"],
    "driving_license": ["license_number", "full_name", "license_class"],
    "land_use_certificate": ["owner_name", "parcel_number", "map_sheet_number"],
    "application_form": ["applicant_name"],
    "decision": ["document_number", "issue_date"],
    "official_letter": ["document_number", "issue_date"],
}
DOC_TYPES = [*FIELDS, *RECORD_FIELDS]
