// devices::IdeChannel: replies of the MMC commands of the ATAPI CD-ROM drive
// (SPC-2/MMC-2 formats): REQUEST SENSE, INQUIRY, READ TOC, MODE SENSE(10),
// GET CONFIGURATION, GET EVENT STATUS NOTIFICATION, READ DISC INFORMATION,
// MECHANISM STATUS and START STOP UNIT. The disc is a single-session data CD:
// track 1 from LBA 0 (MSF 00:02:00) to the lead-out at the image's end.
#include <string>

#include "devices/ide.h"

namespace devices {

using ide_detail::be16;
using ide_detail::push_be16;
using ide_detail::push_be32;

namespace {

constexpr uint8_t kDataTrack = 0x14;  // ADR 1 (position), control 4 (data track)

// An address as READ TOC gives it: LBA, or 0, M, S, F with the 150-frame
// (two second) offset of track 1's pregap.
void push_addr(std::vector<uint8_t>& r, uint32_t lba, bool msf) {
  if (!msf) return push_be32(r, lba);
  uint32_t f = lba + 150;
  r.insert(r.end(), {0, uint8_t(f / (75 * 60)), uint8_t(f / 75 % 60), uint8_t(f % 75)});
}

void push_text(std::vector<uint8_t>& r, const std::string& s, size_t n) {
  for (size_t i = 0; i < n; ++i) r.push_back(i < s.size() ? uint8_t(s[i]) : ' ');
}

}  // namespace

void IdeChannel::request_sense(Drive& d) {
  if (d.unit_attention) {
    d.unit_attention = false;
    d.sense_key = 0x06, d.asc = 0x28, d.ascq = 0x00;
  }
  // Fixed format, current error; reporting it clears it (atapi_ok).
  std::vector<uint8_t> r(18, 0);
  r[0] = 0x70, r[2] = d.sense_key, r[7] = 10, r[12] = d.asc, r[13] = d.ascq;
  atapi_reply(d, std::move(r), d.cdb[4]);
}

void IdeChannel::inquiry(Drive& d) {
  if (d.cdb[1] & 0x01) return atapi_check(d, 0x05, 0x24, 0x00);  // no vital product data
  std::vector<uint8_t> r = {0x05, 0x80, 0x00, 0x21, 31, 0, 0, 0};  // CD/DVD, removable
  push_text(r, "XLAT86", 8);
  push_text(r, "XLAT86 CD-ROM", 16);
  push_text(r, "1.0", 4);
  atapi_reply(d, std::move(r), be16(d.cdb + 3));
}

void IdeChannel::read_toc(Drive& d) {
  const uint8_t* c = d.cdb;
  bool msf = c[1] & 0x02;
  uint8_t format = c[2] & 0x0F;
  if (!format) format = c[9] >> 6;  // the older (SFF-8020) place of the format
  uint8_t start = c[6];
  uint32_t leadout = cd_sectors(d);
  std::vector<uint8_t> r = {0, 0, 1, 1};  // length, first and last track (session)
  switch (format) {
    case 0:  // TOC: track 1 and the lead-out (AAh)
      if (start > 1 && start != 0xAA) return atapi_check(d, 0x05, 0x24, 0x00);
      if (start <= 1) {
        r.insert(r.end(), {0, kDataTrack, 1, 0});
        push_addr(r, 0, msf);
      }
      r.insert(r.end(), {0, kDataTrack, 0xAA, 0});
      push_addr(r, leadout, msf);
      break;
    case 1:  // session information: the first track of the last session
      r.insert(r.end(), {0, kDataTrack, 1, 0});
      push_addr(r, 0, msf);
      break;
    case 2: {  // full TOC: points A0 (first track), A1 (last track), A2 (lead-out), 1
      auto entry = [&](uint8_t point, uint8_t pm, uint8_t ps, uint8_t pf) {
        r.insert(r.end(), {1, kDataTrack, 0, point, 0, 0, 0, 0, pm, ps, pf});
      };
      std::vector<uint8_t> lo;
      push_addr(lo, leadout, true);
      entry(0xA0, 1, 0x00, 0);  // first track 1, disc type CD-ROM
      entry(0xA1, 1, 0, 0);     // last track 1
      entry(0xA2, lo[1], lo[2], lo[3]);
      entry(0x01, 0, 2, 0);
      break;
    }
    default: return atapi_check(d, 0x05, 0x24, 0x00);
  }
  r[0] = uint8_t((r.size() - 2) >> 8), r[1] = uint8_t(r.size() - 2);
  atapi_reply(d, std::move(r), be16(c + 7));
}

void IdeChannel::mode_sense(Drive& d) {
  uint8_t pc = d.cdb[2] >> 6, page = d.cdb[2] & 0x3F;
  if (pc == 3) return atapi_check(d, 0x05, 0x39, 0x00);  // SAVING PARAMETERS NOT SUPPORTED
  if (page != 0x01 && page != 0x2A && page != 0x3F) return atapi_check(d, 0x05, 0x24, 0x00);
  // Header: length, medium type (120 mm data CD, or no disc with the door
  // closed/open), no block descriptors.
  uint8_t medium = cd_present(d) ? 0x01 : d.tray_open ? 0x71 : 0x70;
  std::vector<uint8_t> r = {0, 0, medium, 0, 0, 0, 0, 0};
  auto add = [&](std::vector<uint8_t> p) {
    if (pc == 1) std::fill(p.begin() + 2, p.end(), 0);  // nothing is changeable
    r.insert(r.end(), p.begin(), p.end());
  };
  if (page == 0x01 || page == 0x3F)  // read error recovery: 5 read retries
    add({0x01, 0x0A, 0x00, 0x05, 0, 0, 0, 0, 0x00, 0, 0, 0});
  if (page == 0x2A || page == 0x3F) {
    // Capabilities: reads CD-ROM only; tray loading, eject, lock (and its
    // state); 32x (5632 KB/s); 512 KiB buffer.
    add({0x2A, 0x12, 0x00, 0x00, 0x00, 0x00, uint8_t(0x29 | (d.locked ? 0x02 : 0)), 0x00,
         0x16, 0x00, 0x00, 0x00, 0x02, 0x00, 0x16, 0x00, 0x00, 0x00, 0x00, 0x00});
  }
  r[0] = uint8_t((r.size() - 2) >> 8), r[1] = uint8_t(r.size() - 2);
  atapi_reply(d, std::move(r), be16(d.cdb + 7));
}

void IdeChannel::get_configuration(Drive& d) {
  uint8_t rt = d.cdb[1] & 3;
  uint32_t first = be16(d.cdb + 2);
  if (rt == 3) return atapi_check(d, 0x05, 0x24, 0x00);
  bool disc = cd_present(d);
  struct Feature {
    uint16_t code;
    bool persistent, current;
    std::vector<uint8_t> data;
  };
  const Feature features[] = {
      {0x0000, true, true, {0x00, 0x08, uint8_t(disc), 0}},  // profile list: CD-ROM
      {0x0001, true, true, {0, 0, 0, 2, 0, 0, 0, 0}},       // core: ATAPI
      {0x0003, true, true, {0x29, 0, 0, 0}},                // removable medium: tray, eject, lock
      {0x0010, false, disc, {0, 0, 0x08, 0x00, 0x00, 0x01, 0, 0}},  // random readable, 2048
      {0x001E, false, disc, {0, 0, 0, 0}},                  // CD read
  };
  std::vector<uint8_t> r = {0, 0, 0, 0, 0, 0};
  push_be16(r, disc ? 0x0008 : 0x0000);  // current profile
  for (const Feature& f : features) {
    bool take = rt == 2 ? f.code == first : f.code >= first && (rt == 0 || f.current);
    if (!take) continue;
    push_be16(r, f.code);
    r.push_back(uint8_t((f.persistent ? 0x02 : 0) | (f.current ? 0x01 : 0)));
    r.push_back(uint8_t(f.data.size()));
    r.insert(r.end(), f.data.begin(), f.data.end());
  }
  uint32_t len = uint32_t(r.size() - 4);
  r[0] = uint8_t(len >> 24), r[1] = uint8_t(len >> 16), r[2] = uint8_t(len >> 8), r[3] = uint8_t(len);
  atapi_reply(d, std::move(r), be16(d.cdb + 7));
}

// GET EVENT STATUS NOTIFICATION, polled only; the media class is the only
// one supported. A reported event is consumed.
void IdeChannel::event_status(Drive& d) {
  if (!(d.cdb[1] & 0x01)) return atapi_check(d, 0x05, 0x24, 0x00);
  std::vector<uint8_t> r;
  if (d.cdb[4] & 0x10) {
    uint8_t status = uint8_t((cd_present(d) ? 0x02 : 0) | (d.tray_open ? 0x01 : 0));
    r = {0, 6, 0x04, 0x10, d.media_event, status, 0, 0};
    d.media_event = 0;
  } else {
    r = {0, 2, 0x80, 0x10};  // no event of a requested class
  }
  atapi_reply(d, std::move(r), be16(d.cdb + 7));
}

void IdeChannel::disc_information(Drive& d) {
  if (d.cdb[1] & 0x07) return atapi_check(d, 0x05, 0x24, 0x00);  // standard information only
  // A complete disc with a complete last session, one session, track 1.
  std::vector<uint8_t> r(34, 0);
  r[1] = 32, r[2] = 0x0E, r[3] = 1, r[4] = 1, r[5] = 1, r[6] = 1;
  for (unsigned i = 16; i < 24; ++i) r[i] = 0xFF;  // no next session / last lead-out
  atapi_reply(d, std::move(r), be16(d.cdb + 7));
}

void IdeChannel::mechanism_status(Drive& d) {
  std::vector<uint8_t> r(8, 0);
  r[1] = d.tray_open ? 0x10 : 0x00;  // mechanism idle, door open bit; no changer slots
  atapi_reply(d, std::move(r), be16(d.cdb + 8));
}

// START STOP UNIT: LoEj with Start clear opens the tray (refused while
// removal is prevented), with Start set closes it; spinning needs nothing.
void IdeChannel::start_stop(Drive& d) {
  bool loej = d.cdb[4] & 0x02, start = d.cdb[4] & 0x01;
  if (loej && !start) {
    if (d.locked) return atapi_check(d, 0x05, 0x53, 0x02);  // MEDIUM REMOVAL PREVENTED
    if (!d.tray_open && d.image) d.media_event = 3;
    d.tray_open = true;
  } else if (loej && start && d.tray_open) {
    d.tray_open = false;
    if (d.image) {
      d.unit_attention = true;
      d.media_event = 2;
    }
  }
  atapi_ok(d);
}

}  // namespace devices
