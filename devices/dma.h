// devices::Dma: the PC/AT pair of Intel 8237A DMA controllers with their page
// registers, as in the PIIX3.
//
//   DMA1 (8-bit channels 0-3)   ports 0x00-0x0F
//   DMA2 (16-bit channels 4-7)  ports 0xC0-0xDF, registers at even ports
//                               (0xC0 + 2 * DMA1 offset); odd ports read 0xFF
//   page registers              ports 0x80-0x8F: 0x87 ch0, 0x83 ch1, 0x81 ch2,
//                               0x82 ch3, 0x8F ch4, 0x8B ch5, 0x89 ch6, 0x8A ch7;
//                               the others are plain read/write bytes
//   0x80                        the POST code port (read back; each write is
//                               also passed to the POST callback)
//
// Wiring (for the Machine):
//   Dma dma(mem);                 // mmu::Memory: transfers use physical addresses
//   dma.map(bus);
//   dma.set_post_callback([](uint8_t code) { ... log it ... });
//   Devices (the FDC on channel 2, ...) call dma.transfer(); a device that found
//   its channel not ready registers set_ready_callback(ch, cb) to be told when a
//   port write makes it ready.
//
// Registers (per controller; DMA1 offset, DMA2 port = 0xC0 + 2 * offset):
//   0x0-0x7  base/current address and count of channels 0-3 (address at
//            2*ch, count at 2*ch+1), 16 bits through the byte-pointer flip-flop
//            (low byte first). A write sets base and current; a read returns
//            the current value.
//   0x8  R   status: bits 0-3 terminal count reached (cleared by the read),
//            bits 4-7 requests pending (the software request register here).
//        W   command: bit 2 disables the controller; the other bits (memory
//            to memory, compressed timing, priority, DREQ/DACK sense) are
//            stored only.
//   0x9  W   request register: bit 2 set/clear the software request of
//            channel bits 0-1 (recorded in the status; no transfer is made:
//            there is no memory-to-memory mode).
//   0xA  W   single mask bit: bit 2 set/clear the mask of channel bits 0-1.
//   0xB  W   mode: bits 0-1 channel, 2-3 transfer (0 verify, 1 write = device
//            to memory, 2 read = memory to device, 3 illegal), bit 4 auto-
//            initialize, bit 5 address decrement, bits 6-7 demand/single/
//            block/cascade.
//   0xC  W   clear the byte-pointer flip-flop.
//   0xD  R   temporary register (0: no memory-to-memory transfers).
//        W   master clear: command, status, request, temporary and flip-flop
//            cleared, all four channels masked.
//   0xE  W   clear the mask register (all channels unmasked).
//   0xF  W   write all mask bits (bits 0-3); R reads them (0xF0 | mask).
//
// Transfers (the device side):
//   uint32_t n = dma.transfer(ch, max, fn, &tc);
// moves min(max, bytes left before terminal count) bytes in one call to
// fn(buf, n): for a write transfer (device -> memory) the device fills buf and
// the bytes are stored to memory afterwards; for a read transfer (memory ->
// device) buf holds the memory bytes when fn is called; for verify the bytes
// go nowhere (buf is filled with 0xFF first, as for a write). Transfers are
// synchronous: they complete inside the call. A 16-bit channel moves whole
// words (max is rounded down to even). Addresses step by one unit per byte
// (word) up or down; the 16-bit address wraps inside its 64 KiB (8-bit
// channels) or 128 KiB (16-bit channels: page bit 0 unused, address shifted
// left by one) block without carrying into the page, as on the real
// hardware. When the count passes 0 -> 0xFFFF the channel reaches terminal
// count: the status TC bit is set, *tc becomes true and the channel either
// reloads its base address and count (auto-initialize) or masks itself.
//
// A channel is ready to transfer when its controller is enabled, it is
// unmasked, its mode is not cascade and its transfer type is not illegal;
// channels 0-3 also need DMA2's channel 4 unmasked, in cascade mode and
// DMA2 enabled (DMA1 reaches the bus through that cascade). transfer() on a
// channel that is not ready moves nothing and returns 0.
#pragma once
#include <cstdint>
#include <functional>

#include "devices/iobus.h"
#include "mmu/memory.h"

namespace devices {

class Dma {
 public:
  // One channel's registers. Plain data (save/restore).
  struct Channel {
    uint16_t base_addr = 0, cur_addr = 0;
    uint16_t base_count = 0, cur_count = 0;
    uint8_t mode = 0;
  };
  // One 8237A.
  struct Controller {
    Channel ch[4];
    uint8_t command = 0;
    uint8_t status = 0;   // bits 0-3: TC reached
    uint8_t request = 0;  // software requests (bits 0-3)
    uint8_t mask = 0xF;
    bool flipflop = false;  // false: next byte is the low byte
  };
  enum class Dir : uint8_t { Verify = 0, ToMemory = 1, FromMemory = 2, Illegal = 3 };
  using DataFn = std::function<void(uint8_t* buf, uint32_t n)>;
  using PostFn = std::function<void(uint8_t code)>;
  using ReadyFn = std::function<void()>;

  explicit Dma(mmu::Memory& mem);
  Dma(const Dma&) = delete;  // the port handlers hold `this`
  Dma& operator=(const Dma&) = delete;
  void map(IoBus& bus);
  void reset();  // power-on: both controllers master-cleared, pages and POST code 0
  void set_post_callback(PostFn cb) { post_cb_ = std::move(cb); }
  void set_ready_callback(unsigned ch, ReadyFn cb) { ready_cb_[ch & 7] = std::move(cb); }

  // ---- device side ----
  bool ready(unsigned ch) const;
  Dir direction(unsigned ch) const { return Dir((chan(ch).mode >> 2) & 3); }
  bool is16(unsigned ch) const { return ch >= 4; }
  uint32_t transfer(unsigned ch, uint32_t max_bytes, const DataFn& fn, bool* tc = nullptr);
  // Physical address of the channel's next byte (for tests and tracing).
  uint32_t address(unsigned ch) const;

  // ---- port side (byte-wide) ----
  uint8_t read(uint16_t port);
  void write(uint16_t port, uint8_t value);

  const Controller& controller(unsigned i) const { return ctl_[i]; }
  const Channel& chan(unsigned ch) const { return ctl_[ch >> 2].ch[ch & 3]; }
  uint8_t post_code() const { return page_regs_[0]; }

 private:
  Channel& chan_mut(unsigned ch) { return ctl_[ch >> 2].ch[ch & 3]; }
  uint8_t read_reg(unsigned c, unsigned reg);
  void write_reg(unsigned c, unsigned reg, uint8_t v);
  uint8_t ready_mask() const;
  void master_clear(unsigned c);
  void step(unsigned ch, bool* tc);  // advance address and count by one unit

  mmu::Memory& mem_;
  Controller ctl_[2];
  uint8_t page_regs_[16] = {};  // ports 0x80-0x8F
  PostFn post_cb_;
  ReadyFn ready_cb_[8];
};

}  // namespace devices
